import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil } from '@pressroom/test-support';
import { aBrief, aWriteTask } from '../support/factories.ts';
import { chatCompletion, startChatStub } from '../support/chat-stub.ts';
import { startLlmWorker, type LlmWorker } from '../support/llm-worker.ts';

const answer = { title: 'Tides', summary: 'The moon pulls the sea [1].', body_markdown: 'The moon pulls the sea [1]. Twice a day [2].' };

describe('llm worker: calls an open breaker refuses (real RabbitMQ and Redis, stub chat server)', () => {
  let stub: Awaited<ReturnType<typeof startChatStub>>;
  let llm: LlmWorker;

  before(async () => {
    stub = await startChatStub({ 'a provider that is down': () => ({ status: 503, body: { error: { message: 'overloaded' } } }) }, () =>
      chatCompletion(answer),
    );
    // One failure opens the breaker; a deferred task comes back every BREAKER_RESET_MS / 2.
    llm = await startLlmWorker({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${stub.url}/v1`,
      LLM_API_KEY: 'sk-test-breaker-7a2c',
      LLM_MODEL: 'gpt-4o-mini',
      BREAKER_VOLUME: '1',
      BREAKER_ERROR_PERCENT: '1',
      BREAKER_RESET_MS: '60000',
    });
  });
  after(async () => {
    await llm.stop();
    await stub.close();
  });

  const calls = (outcome: string) => llm.metric('llmCalls', { provider: 'openai', outcome });

  it('when the breaker is open, then the calls it refuses count as breaker_open, not as provider errors', async () => {
    await llm.submit(aWriteTask({ brief: aBrief({ topic: 'a provider that is down' }) }));
    await pollUntil('the failed call to open the breaker', async () => (await calls('error')) >= 1 || undefined);
    // Another task meets the open breaker: its call is refused before anything is sent.
    await llm.submit(aWriteTask({ brief: aBrief({ topic: 'a provider that is down', audience: 'sailors' }) }));
    await pollUntil('a call refused by the breaker', async () => (await calls('breaker_open')) >= 1 || undefined);
    assert.equal(await calls('error'), stub.requestsFor('a provider that is down').length, 'errors are the calls the provider answered');
  });
});
