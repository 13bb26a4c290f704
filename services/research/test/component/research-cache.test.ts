import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub, type HttpStub } from '@pressroom/test-support';
import { ARTICLE_HTML, ARTICLE_TEXT, researchTask, startResearchWorker, type ResearchWorker } from './research-harness.ts';

describe('research worker caches (real Redis, stub Brave)', () => {
  let search: HttpStub;
  let pages: HttpStub;
  let worker: ResearchWorker;
  before(async () => {
    pages = await startHttpStub(() => ({ body: ARTICLE_HTML }));
    search = await startHttpStub(() => ({ body: { web: { results: [{ title: 'Guide', url: `${pages.url}/guide`, description: 'A guide.' }] } } }));
    worker = await startResearchWorker({ SEARCH_PROVIDER: 'brave', BRAVE_URL: search.url, BRAVE_API_KEY: 'test-brave-key' });
  });
  after(async () => {
    await worker.close();
    await search.close();
    await pages.close();
  });

  const cacheCount = async (cache: string, result: string) =>
    (await worker.metrics.cache.get()).values.find((v) => v.labels['cache'] === cache && v.labels['result'] === result)?.value ?? 0;

  it('when the same topic is researched twice, then the second task is served from the search and page caches', async () => {
    const first = await worker.submit(researchTask('Sourdough Starter'));
    await worker.events.waitFor((e) => e.request_id === first && e.type === 'completed');
    const second = await worker.submit(researchTask('sourdough  starter'));
    await worker.events.waitFor((e) => e.request_id === second && e.type === 'completed');
    assert.equal(search.requests.length, 1);
    assert.deepEqual(
      pages.requests.map((r) => r.path),
      ['/robots.txt', '/guide'],
      'one robots.txt for the host, one page',
    );
    assert.equal((await worker.writeTask(second)).payload.sources[0]?.text, ARTICLE_TEXT);
    assert.equal(await cacheCount('search', 'hit'), 1);
    assert.equal(await cacheCount('search', 'miss'), 1);
  });

  it('when a worker on the same cache searches another endpoint, then it asks that endpoint: results are cached per endpoint', async () => {
    const other = await startHttpStub(() => ({ body: { web: { results: [{ title: 'Other', url: `${pages.url}/guide`, description: 'Elsewhere.' }] } } }));
    const moved = await startResearchWorker({
      SEARCH_PROVIDER: 'brave',
      BRAVE_URL: other.url,
      BRAVE_API_KEY: 'test-brave-key',
      REDIS_KEY_PREFIX: worker.config.REDIS_KEY_PREFIX,
    });
    try {
      const id = await moved.submit(researchTask('Sourdough Starter'));
      await moved.events.waitFor((e) => e.request_id === id && e.type === 'completed');
      assert.equal(other.requests.length, 1, "not served the first endpoint's cached result");
      assert.equal((await moved.writeTask(id)).payload.sources[0]?.title, 'Other');
    } finally {
      await moved.close();
      await other.close();
    }
  });
});
