import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub, type HttpStub, type StubReply } from '@pressroom/test-support';
import { researchTask, startResearchWorker, type ResearchWorker } from './research-harness.ts';

describe('research worker when the search provider fails (real RabbitMQ and Redis, stub Serper)', () => {
  let reply: StubReply = {};
  let search: HttpStub;
  let pages: HttpStub;
  let looping: HttpStub;
  let worker: ResearchWorker;
  before(async () => {
    search = await startHttpStub(() => reply);
    // robots.txt is absent (404: no rules), so the pages themselves are asked for and answer 503.
    pages = await startHttpStub((req) => (req.path === '/robots.txt' ? { status: 404, body: 'none' } : { status: 503, body: 'down' }));
    // A host whose robots.txt redirects to itself: a loop no retry ends.
    looping = await startHttpStub((req) => (req.path === '/robots.txt' ? { status: 302, headers: { location: '/robots.txt' } } : { body: 'never asked' }));
    worker = await startResearchWorker({
      SEARCH_PROVIDER: 'serper',
      SERPER_URL: `${search.url}/search`,
      SERPER_API_KEY: 'test-serper-key',
      RETRY_MAX_ATTEMPTS: '2',
      STARTED_EVENT_DELAY_MS: '0',
    });
  });
  after(async () => {
    await worker.close();
    await search.close();
    await pages.close();
    await looping.close();
  });

  const events = (rid: string) => worker.events.events.filter((e) => e.request_id === rid);

  it('when the provider answers 500, then the task is retried with upstream_500 and fails after the last attempt', async () => {
    reply = { status: 500, body: { message: 'internal' } };
    const before = search.requests.length;
    const rid = await worker.submit(researchTask('retry me please'));
    const retrying = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'retrying');
    assert.equal(retrying.error?.code, 'upstream_500');
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'upstream_500');
    assert.equal(failed.attempt, 2);
    assert.equal(search.requests.length - before, 2);
  });

  it('when the provider answers 401, then the task fails at once without a retry', async () => {
    reply = { status: 401, body: { message: 'Unauthorized.' } };
    const rid = await worker.submit(researchTask('bad key topic'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'upstream_401');
    assert.equal(failed.attempt, 1);
    assert.deepEqual(
      events(rid).map((e) => e.type),
      ['started', 'failed'],
    );
  });

  it('when the provider answers 200 with an unexpected body, then the task fails at once with bad_provider_response', async () => {
    reply = { body: '<html>captive portal</html>' };
    const rid = await worker.submit(researchTask('odd body topic'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'bad_provider_response');
    assert.equal(failed.attempt, 1);
  });

  it('when the provider finds nothing, then the task fails at once with no_sources saying nothing matched', async () => {
    reply = { body: { searchParameters: { q: 'x' }, organic: [] } };
    const rid = await worker.submit(researchTask('nothing out there'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.match(failed.error?.message ?? '', /nothing matched "nothing out there"/);
  });

  it('when every page answers 503, then no_sources is retried (a later attempt may reach them) and fails after the last attempt, counting the 503s', async () => {
    const organic = [1, 2].map((n) => ({ title: `Page ${n}`, link: `${pages.url}/p${n}`, snippet: `Snippet ${n} about pages down.` }));
    reply = { body: { organic } };
    const rid = await worker.submit(researchTask('all pages down'));
    const retrying = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'retrying');
    assert.equal(retrying.error?.code, 'no_sources');
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.equal(failed.attempt, 2);
    assert.match(
      failed.error?.message ?? '',
      /^found 0 relevant sources for "all pages down" in the serper search, at least 2 needed; dropped 2: 2 upstream_503;/,
    );
  });

  it('when the only pages are on a host whose robots.txt cannot be read for good (a redirect loop), then no_sources fails at once rather than retrying', async () => {
    const organic = [1, 2].map((n) => ({ title: `Looping ${n}`, link: `${looping.url}/p${n}`, snippet: `Snippet ${n} about loops.` }));
    reply = { body: { organic } };
    const rid = await worker.submit(researchTask('robots loop'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.equal(failed.attempt, 1, 'not retried: a retry meets the same loop');
    assert.match(failed.error?.message ?? '', /dropped 2: 2 target_redirect_loop/);
    assert.ok(!looping.requests.some((r) => r.path !== '/robots.txt'), 'no page was fetched');
  });
});
