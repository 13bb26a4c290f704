import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aBrief, aWriteTask } from '../support/factories.ts';
import { chatCompletion, startChatStub } from '../support/chat-stub.ts';
import { startLlmWorker, type LlmWorker } from '../support/llm-worker.ts';

const answer = { title: 'Wind Turbines', summary: 'Blades turn a generator [1].', body_markdown: 'Wind turns the blades [1]. A gearbox speeds the shaft [2].' };
// The stub reports 812 input and 240 output tokens and answers as gpt-4o-mini-2024-07-18 (as OpenAI does).
const PRICES = { 'gpt-4o-mini': { input: 0.15, output: 0.6 } };
const COST = (812 * 0.15 + 240 * 0.6) / 1e6;

describe('llm worker cost accounting: tokens and cost in the completed event, cached answers record what they saved (real RabbitMQ and Redis, stub chat server)', () => {
  let stub: Awaited<ReturnType<typeof startChatStub>>;
  let llm: LlmWorker;
  let local: LlmWorker;

  before(async () => {
    // A refusal is an answer too: billed with its usage, though nothing can be written from it.
    const refusal = () => {
      const reply = chatCompletion(answer);
      const body = reply.body as { choices: Array<{ message: { content: string | null; refusal?: string } }> };
      body.choices[0]!.message = { content: null, refusal: 'I cannot help with that.' };
      return reply;
    };
    stub = await startChatStub({ 'a topic the model refuses': refusal }, () => chatCompletion(answer));
    [llm, local] = await Promise.all([
      startLlmWorker({ LLM_PROVIDER: 'openai', LLM_BASE_URL: `${stub.url}/v1`, LLM_MODEL: 'gpt-4o-mini', LLM_PRICES: JSON.stringify(PRICES) }),
      startLlmWorker({ LLM_PROVIDER: 'local', LLM_PRICES: JSON.stringify({ 'extractive-v2': { input: 5, output: 5 } }) }),
    ]);
  });
  after(async () => {
    await Promise.all([llm.stop(), local.stop()]);
    await stub.close();
  });

  it('when the provider reports usage, then the completed event carries the tokens and the cost at the configured price, and the cost counter grows by it', async () => {
    const costBefore = await llm.metric('llmCost', { provider: 'openai', model: 'gpt-4o-mini' });
    const done = await llm.settled(await llm.submit(aWriteTask({ brief: aBrief({ topic: 'how wind turbines work' }) })));
    assert.equal(done.type, 'completed');
    assert.deepEqual(done.result?.usage, {
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      cached: false,
      input_tokens: 812,
      output_tokens: 240,
      cost_usd: COST,
      saved: null,
    });
    assert.ok(Math.abs((await llm.metric('llmCost', { provider: 'openai', model: 'gpt-4o-mini' })) - costBefore - COST) < 1e-12);
    assert.match(await llm.worker.metrics.registry.metrics(), /^pressroom_llm_cost_usd_total\{[^}]*model="gpt-4o-mini"[^}]*\} [0-9.e-]+$/m);
  });

  it('when the model answers but the answer cannot be used (a refusal), then its tokens and cost still count in the metrics', async () => {
    const labels = { provider: 'openai', model: 'gpt-4o-mini' };
    const [costBefore, inputBefore, outputBefore] = await Promise.all([
      llm.metric('llmCost', labels),
      llm.metric('llmTokens', { ...labels, kind: 'input' }),
      llm.metric('llmTokens', { ...labels, kind: 'output' }),
    ]);
    const done = await llm.settled(await llm.submit(aWriteTask({ brief: aBrief({ topic: 'a topic the model refuses' }) })));
    assert.equal(done.type, 'failed');
    assert.equal(done.error?.code, 'llm_refused');
    assert.ok(Math.abs((await llm.metric('llmCost', labels)) - costBefore - COST) < 1e-12, 'the refused call cost what any call costs');
    assert.equal(await llm.metric('llmTokens', { ...labels, kind: 'input' }), inputBefore + 812);
    assert.equal(await llm.metric('llmTokens', { ...labels, kind: 'output' }), outputBefore + 240);
  });

  it('when the same prompt is answered from the cache, then that write records zero tokens and cost and what the cache saved', async () => {
    const task = aWriteTask({ brief: aBrief({ topic: 'wind turbines from the cache' }) });
    await llm.settled(await llm.submit(task));
    const [costBefore, savedBefore, savedTokensBefore] = await Promise.all([
      llm.metric('llmCost', { provider: 'openai' }),
      llm.metric('llmSavedCost', { provider: 'openai' }),
      llm.metric('llmSavedTokens', { provider: 'openai', kind: 'input' }),
    ]);
    const again = await llm.settled(await llm.submit(task));
    assert.equal(stub.requestsFor('wind turbines from the cache').length, 1, 'the second write made no call');
    assert.deepEqual(again.result?.usage, {
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      cached: true,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      saved: { input_tokens: 812, output_tokens: 240, cost_usd: COST },
    });
    assert.equal(await llm.metric('llmCost', { provider: 'openai' }), costBefore, 'a cached answer costs nothing');
    assert.ok(Math.abs((await llm.metric('llmSavedCost', { provider: 'openai' })) - savedBefore - COST) < 1e-12);
    assert.equal(await llm.metric('llmSavedTokens', { provider: 'openai', kind: 'input' }), savedTokensBefore + 812);
  });

  it('when the built-in writer writes, then the event says it cost zero, whatever LLM_PRICES lists for it', async () => {
    const done = await local.settled(await local.submit(aWriteTask({ brief: aBrief({ topic: 'how solar panels work' }) })));
    assert.equal(done.type, 'completed');
    assert.deepEqual(done.result?.usage, {
      provider: 'local',
      model: 'extractive-v2',
      cached: false,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      saved: null,
    });
  });
});
