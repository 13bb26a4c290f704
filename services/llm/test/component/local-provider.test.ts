import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aBrief, aWriteTask } from '../support/factories.ts';
import { citationsIn, startLlmWorker, type LlmWorker } from '../support/llm-worker.ts';

describe('llm worker with the local extractive writer (real RabbitMQ and Redis)', () => {
  let llm: LlmWorker;

  before(async () => {
    llm = await startLlmWorker({ LLM_PROVIDER: 'local' });
  });
  after(() => llm.stop());

  it('when a write task arrives, then it completes and queues a publish task whose article cites only existing sources', async () => {
    const task = aWriteTask();
    const rid = await llm.submit(task);
    const done = await llm.settled(rid);
    assert.equal(done.type, 'completed');
    const article = done.result?.article;
    assert.ok(article);
    assert.equal(article.title, 'How Solar Panels Work');
    assert.deepEqual(
      article.sources,
      task.sources.map((s) => ({ title: s.title, url: s.url })),
    );

    const next = await llm.publishTaskFor(rid);
    assert.ok(next, 'a publish task was queued');
    assert.deepEqual(next.brief, task.brief);
    assert.deepEqual(next.channel, task.channel);
    assert.deepEqual(next.article, article);
    const cited = citationsIn(next.article.body_markdown);
    assert.ok(cited.includes(1));
    assert.ok(
      cited.every((n) => n >= 1 && n <= task.sources.length),
      `citations ${cited.join(',')}`,
    );
    assert.match(next.article.body_markdown, /## Sources\n\n1\. \[/);
  });

  it('when the same task content comes again, then the cached article is served identically', async () => {
    const task = aWriteTask({ brief: aBrief({ topic: 'solar panel inverters', length: 'short' }) });
    const first = await llm.settled(await llm.submit(task));
    const hitsBefore = await llm.metric('llmCalls', { provider: 'local', outcome: 'cached' });
    const second = await llm.settled(await llm.submit(task));
    assert.deepEqual(second.result?.article, first.result?.article);
    assert.equal(await llm.metric('llmCalls', { provider: 'local', outcome: 'cached' }), hitsBefore + 1);
  });

  it('when a write task has no sources, then it fails permanently with no_sources', async () => {
    const failed = await llm.settled(await llm.submit(aWriteTask({ sources: [] })));
    assert.equal(failed.type, 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.equal(failed.attempt, 1);
  });
});
