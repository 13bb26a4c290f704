import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aBrief, aWriteTask } from '../support/factories.ts';
import { chatCompletion, startChatStub } from '../support/chat-stub.ts';
import { citationsIn, startLlmWorker, type LlmWorker } from '../support/llm-worker.ts';

const API_KEY = 'sk-test-0f3a9c2d7b1e';
const answer = {
  title: 'How Solar Panels Work',
  summary: 'Panels turn light into power [1].',
  body_markdown: 'Cells convert light [1]. Homes store it [2]. Unfounded [5].',
};
const ok = () => chatCompletion(answer);

describe('llm worker with an OpenAI-compatible provider (real RabbitMQ and Redis, stub chat server)', () => {
  let stub: Awaited<ReturnType<typeof startChatStub>>;
  let llm: LlmWorker;

  before(async () => {
    stub = await startChatStub(
      {
        'flaky upstream': (n) => (n === 1 ? { status: 503, body: { error: { message: 'overloaded' } } } : ok()),
        'rejected request': () => ({ status: 400, body: { error: { message: 'context_length_exceeded' } } }),
        'slow upstream': (n) => (n === 1 ? { ...ok(), delayMs: 2_000 } : ok()),
        // Slow enough for both deliveries to be in flight together, well inside LLM_TIMEOUT_MS.
        'concurrent twins': () => ({ ...ok(), delayMs: 120 }),
      },
      ok,
    );
    llm = await startLlmWorker({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${stub.url}/v1`,
      LLM_API_KEY: API_KEY,
      LLM_MODEL: 'gpt-4o-mini',
      LLM_TIMEOUT_MS: '300',
    });
  });
  after(async () => {
    await llm.stop();
    await stub.close();
  });

  it('when a write task arrives, then the provider receives the chat request and the article comes from its answer', async () => {
    const task = aWriteTask({ brief: aBrief({ topic: 'rooftop solar basics', audience: 'homeowners' }) });
    const done = await llm.settled(await llm.submit(task));
    assert.equal(done.type, 'completed');

    const [req, ...others] = stub.requestsFor('rooftop solar basics');
    assert.equal(others.length, 0);
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${API_KEY}`);
    const body = req.json() as {
      model: string;
      messages: Array<{ role: string; content: string }>;
      temperature: number;
      max_tokens: number;
      response_format: unknown;
    };
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.temperature, 0.3);
    assert.equal(body.max_tokens, llm.config.LLM_MAX_TOKENS);
    assert.deepEqual(body.response_format, {
      type: 'json_schema',
      json_schema: {
        name: 'article',
        strict: true,
        schema: {
          type: 'object',
          properties: { title: { type: 'string' }, summary: { type: 'string' }, body_markdown: { type: 'string' } },
          required: ['title', 'summary', 'body_markdown'],
          additionalProperties: false,
        },
      },
    });
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['system', 'user'],
    );
    const user = body.messages[1]!.content;
    assert.match(user, /^Topic: rooftop solar basics$/m);
    assert.match(user, /^Audience: homeowners$/m);
    for (const [i, s] of task.sources.entries()) assert.ok(user.includes(`<source id="${i + 1}">\ntitle: ${s.title}\nurl: ${s.url}\n\n${s.text.slice(0, 40)}`));

    const article = done.result?.article;
    assert.ok(article);
    assert.equal(article.title, answer.title);
    assert.equal(article.summary, answer.summary);
    assert.match(article.body_markdown, /^Cells convert light \[1\]\. Homes store it \[2\]\. Unfounded\./);
    assert.deepEqual(citationsIn(article.body_markdown), [1, 2]);
    assert.match(article.body_markdown, /## Sources\n\n1\. \[How Solar Panels Turn Light into Electricity\]\(https:\/\/example\.org\/solar\)\n2\. /);
    assert.deepEqual(
      article.sources,
      task.sources.map((s) => ({ title: s.title, url: s.url })),
    );
    assert.deepEqual((await llm.publishTaskFor(done.request_id))?.article, article);
    assert.ok((await llm.metric('llmTokens', { provider: 'openai', model: 'gpt-4o-mini', kind: 'input' })) >= 812);
  });

  it('when the same prompt comes again under another request id, then the provider is asked once and the cache answers', async () => {
    const task = aWriteTask({ brief: aBrief({ topic: 'cached solar prompt' }) });
    const hitsBefore = await llm.metric('cache', { cache: 'llm', result: 'hit' });
    const cachedBefore = await llm.metric('llmCalls', { provider: 'openai', outcome: 'cached' });
    const first = await llm.settled(await llm.submit(task));
    const second = await llm.settled(await llm.submit(task));
    assert.notEqual(first.request_id, second.request_id);
    assert.equal(second.type, 'completed');
    assert.deepEqual(second.result?.article, first.result?.article);
    assert.equal(stub.requestsFor('cached solar prompt').length, 1);
    assert.equal(await llm.metric('cache', { cache: 'llm', result: 'hit' }), hitsBefore + 1);
    assert.equal(await llm.metric('llmCalls', { provider: 'openai', outcome: 'cached' }), cachedBefore + 1);
  });

  it('when identical prompts are in flight at once, then the provider is asked once', async () => {
    const task = aWriteTask({ brief: aBrief({ topic: 'concurrent twins' }) });
    const [a, b] = await Promise.all([llm.submit(task), llm.submit(task)]);
    const results = await Promise.all([llm.settled(a), llm.settled(b)]);
    assert.deepEqual(
      results.map((e) => e.type),
      ['completed', 'completed'],
    );
    assert.equal(stub.requestsFor('concurrent twins').length, 1);
  });

  it('when the provider answers 503 once, then the task is retried and completes', async () => {
    const rid = await llm.submit(aWriteTask({ brief: aBrief({ topic: 'flaky upstream' }) }));
    const retrying = await llm.events.waitFor((e) => e.request_id === rid && e.type === 'retrying');
    assert.equal(retrying.error?.code, 'upstream_503');
    const done = await llm.settled(rid);
    assert.equal(done.type, 'completed');
    assert.equal(done.attempt, 2);
    assert.equal(stub.requestsFor('flaky upstream').length, 2);
  });

  it('when the provider answers 400, then the task fails permanently without a retry', async () => {
    const rid = await llm.submit(aWriteTask({ brief: aBrief({ topic: 'rejected request' }) }));
    const failed = await llm.settled(rid);
    assert.equal(failed.type, 'failed');
    assert.equal(failed.error?.code, 'upstream_400');
    assert.equal(failed.attempt, 1);
    assert.ok(!llm.events.events.some((e) => e.request_id === rid && e.type === 'retrying'));
    assert.equal(stub.requestsFor('rejected request').length, 1);
  });

  it('when the provider is slower than LLM_TIMEOUT_MS, then the attempt times out, is retried, and completes', async () => {
    const timeoutsBefore = await llm.metric('llmCalls', { provider: 'openai', outcome: 'timeout' });
    const rid = await llm.submit(aWriteTask({ brief: aBrief({ topic: 'slow upstream' }) }));
    const retrying = await llm.events.waitFor((e) => e.request_id === rid && e.type === 'retrying');
    assert.equal(retrying.error?.code, 'upstream_timeout');
    assert.ok((retrying.duration_ms ?? 0) < 2_000, `gave up after ${retrying.duration_ms} ms`);
    assert.equal((await llm.settled(rid)).type, 'completed');
    assert.equal(await llm.metric('llmCalls', { provider: 'openai', outcome: 'timeout' }), timeoutsBefore + 1);
  });
});
