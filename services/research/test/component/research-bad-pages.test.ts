import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub, type HttpStub, type StubReply } from '@pressroom/test-support';
import { ARTICLE_HTML, FEEDING_HTML, researchTask, startResearchWorker, type ResearchWorker } from './research-harness.ts';

const PAGES: Record<string, StubReply> = {
  '/guide': { body: ARTICLE_HTML },
  '/feeding': { body: FEEDING_HTML },
  '/slow': { body: ARTICLE_HTML, delayMs: 2_000 },
  '/report.pdf': { body: '%PDF-1.7', headers: { 'content-type': 'application/pdf' } },
  '/trees': { body: '<html><head><title>Urban trees</title></head><body><p>Street trees cool a city and slow runoff into drains.</p></body></html>' },
};

describe('research worker when some web results are bad (real RabbitMQ and Redis, stub Brave and page server)', () => {
  let pages: HttpStub;
  let search: HttpStub;
  let results: Array<{ title: string; url: string; description: string }> = [];
  let worker: ResearchWorker;
  before(async () => {
    pages = await startHttpStub((req) => PAGES[req.path] ?? { status: 404, body: 'not found' });
    search = await startHttpStub(() => ({ body: { web: { results } } }));
    worker = await startResearchWorker({
      SEARCH_PROVIDER: 'brave',
      BRAVE_URL: search.url,
      BRAVE_API_KEY: 'k',
      HTTP_TIMEOUT_MS: '300',
      SEARCH_RESULTS: '10',
      STARTED_EVENT_DELAY_MS: '0',
    });
  });
  after(async () => {
    await worker.close();
    await search.close();
    await pages.close();
  });

  const result = (path: string, title = 'Sourdough starter page') => ({ title, url: `${pages.url}${path}`, description: 'About keeping a sourdough starter.' });

  it('when pages time out, are not HTML, are gone, are off-topic or repeat, then they are skipped and the stage succeeds on the pages that remain', async () => {
    results = ['/guide', '/slow', '/report.pdf', '/gone', '/trees', '/guide#again', '/feeding'].map((path) => result(path));
    const rid = await worker.submit(researchTask('sourdough starter'));
    const done = await worker.events.waitFor((e) => e.request_id === rid && (e.type === 'completed' || e.type === 'failed'));
    assert.equal(done.type, 'completed', done.error?.message);
    assert.deepEqual(
      done.result?.sources?.map((s) => new URL(s.url).pathname),
      ['/guide', '/feeding'],
    );
  });

  it('when too few pages remain, then the task fails with no_sources counting each reason', async () => {
    results = ['/guide', '/report.pdf', '/trees', '/gone'].map((path) => result(path, 'Starter'));
    const rid = await worker.submit(researchTask('sourdough starter for bakers'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.equal(failed.attempt, 1, 'nothing a retry could change: the failure is permanent');
    assert.equal(
      failed.error?.message,
      'found 1 relevant source for "sourdough starter for bakers" in the brave search, at least 2 needed; dropped 3: 1 off_topic, 1 unsupported_content_type, 1 upstream_404; a source must hold 2 of "sourdough", "starter", "bakers" together in one sentence read with its title',
    );
  });
});
