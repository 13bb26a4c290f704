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
    assert.deepEqual(
      done.result?.sources,
      sources.map(({ title, url }) => ({ title, url })),
    );
    assert.match(sources[0]!.text, /starter/i);
    assert.match(sources[0]!.snippet, /starter/i);
    for (const s of sources) assert.ok(s.text.length > 0 && s.text.length <= 4000);
  });

  it('when a question is about one corpus subject, then only that document is a source and its snippet answers the question', async () => {
    const rid = await worker.submit(researchTask('How do honeybees communicate?'));
    await worker.events.waitFor((e) => e.request_id === rid && e.type === 'completed');
    const { sources } = (await worker.writeTask(rid)).payload;
    assert.deepEqual(
      sources.map((s) => s.url.replace(/^.*\/corpus\//, '')),
      ['honeybees.md'],
    );
    assert.match(sources[0]!.snippet, /waggle dance/);
  });

  it('when the topic only shares common words with corpus documents, then the task fails at once with no_sources naming the topic and the off-topic count', async () => {
    const rid = await worker.submit(researchTask('Tracing distributed systems'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.equal(failed.attempt, 1);
    assert.match(
      failed.error?.message ?? '',
      /^found 0 relevant sources for "Tracing distributed systems" in the local search, at least 1 needed; dropped (\d+): \1 off_topic; a source must hold 2 of "tracing", "distributed", "systems"/,
    );
  });

  it('when nothing in the corpus matches, then the task fails at once with no_sources', async () => {
    const rid = await worker.submit(researchTask('zqxv wvkj'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.match(failed.error?.message ?? '', /nothing matched "zqxv wvkj"/);
    assert.equal(failed.attempt, 1);
  });
});
