import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { BASE_URLS, startHttpStub, type HttpStub } from '@pressroom/test-support';
import { ARTICLE_HTML, researchTask, startResearchWorker, type ResearchWorker } from './research-harness.ts';

describe('research worker while the search breaker is open (real Redis, stub Brave)', () => {
  let search: HttpStub;
  let pages: HttpStub;
  let worker: ResearchWorker;
  let failing = false;
  before(async () => {
    pages = await startHttpStub(() => ({ body: ARTICLE_HTML }));
    search = await startHttpStub(() =>
      failing ? { status: 503 } : { body: { web: { results: [{ title: 'Guide', url: `${pages.url}/guide`, description: 'A guide.' }] } } },
    );
    // One failure is enough to open the breaker, and it stays open for the whole test.
    worker = await startResearchWorker({
      SEARCH_PROVIDER: 'brave',
      BRAVE_URL: search.url,
      BRAVE_API_KEY: 'k',
      BREAKER_VOLUME: '1',
      BREAKER_ERROR_PERCENT: '1',
      BREAKER_RESET_MS: '60000',
      RETRY_MAX_ATTEMPTS: '2',
    });
  });
  after(async () => {
    await worker.close();
    await search.close();
    await pages.close();
  });

  it('when the search breaker is open, then a stale cached result for the same query is served instead of failing', async () => {
    const first = await worker.submit(researchTask('Sourdough Starter'));
    await worker.events.waitFor((e) => e.request_id === first && e.type === 'completed');
    // The fresh entry has expired (removed here instead of waiting out its TTL); only the stale copy remains.
    const redis = new Redis(BASE_URLS.redis);
    const fresh = await redis.keys(`${worker.config.REDIS_KEY_PREFIX}cache:search:*`);
    assert.equal(fresh.length, 1);
    await redis.del(...fresh);
    redis.disconnect();

    failing = true;
    const opener = await worker.submit(researchTask('A different topic'));
    await worker.events.waitFor((e) => e.request_id === opener && e.type === 'retrying' && e.error?.code === 'upstream_503');
    const searchesBefore = search.requests.length;

    const again = await worker.submit(researchTask('sourdough starter'));
    const done = await worker.events.waitFor((e) => e.request_id === again && e.type === 'completed');
    assert.deepEqual(
      done.result?.sources?.map((s) => s.title),
      ['Guide'],
    );
    assert.equal(search.requests.length, searchesBefore, 'the open breaker kept the request away from the search API');
    const stale = (await worker.metrics.cache.get()).values.find((v) => v.labels['cache'] === 'search' && v.labels['result'] === 'stale_hit');
    assert.equal(stale?.value, 1);
  });

  it('when the breaker is open and nothing stale exists, then the task is delayed, not failed', async () => {
    const rid = await worker.submit(researchTask('never searched before'));
    const retry = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'retrying');
    assert.equal(retry.error?.code, 'breaker_open');
    assert.equal(retry.attempt, 1);
  });
});
