import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { researchTask, startResearchWorker, type ResearchWorker } from './research-harness.ts';

describe('research worker with the local corpus (real RabbitMQ and Redis)', () => {
  let worker: ResearchWorker;
  before(async () => {
    worker = await startResearchWorker({ SEARCH_PROVIDER: 'local' });
  });
  after(() => worker.close());

  it('when a task asks about a sourdough starter, then the sourdough document leads the sources and a write task carries their text', async () => {
    const rid = await worker.submit(researchTask('sourdough starter', 'home bakers'));
    const done = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'completed');
    const first = done.result?.sources?.[0];
    assert.match(first?.url ?? '', /^file:\/\/.*\/corpus\/sourdough-baking\.md$/);
    const write = await worker.writeTask(rid);
    assert.equal(write.stage, 'write');
    assert.deepEqual(write.payload.brief, researchTask('sourdough starter', 'home bakers').brief);
    const sources = write.payload.sources;
    assert.ok(sources.length >= 1 && sources.length <= worker.config.SEARCH_RESULTS);
    assert.deepEqual(done.result?.sources, sources.map(({ title, url }) => ({ title, url })));
    assert.match(sources[0]!.text, /starter/i);
    assert.match(sources[0]!.snippet, /starter/i);
    for (const s of sources) assert.ok(s.text.length > 0 && s.text.length <= 4000);
  });

  it('when nothing in the corpus matches, then the task fails at once with no_sources', async () => {
    const rid = await worker.submit(researchTask('zqxv wvkj'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.match(failed.error?.message ?? '', /nothing matched "zqxv wvkj"/);
    assert.equal(failed.attempt, 1);
  });
});
