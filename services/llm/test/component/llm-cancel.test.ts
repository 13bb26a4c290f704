import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createRedis, markCancelled, type Redis } from '@pressroom/cache';
import { createLogger } from '@pressroom/logger';
import { BASE_URLS, pollUntil } from '@pressroom/test-support';
import { aBrief, aWriteTask } from '../support/factories.ts';
import { chatCompletion, startChatStub } from '../support/chat-stub.ts';
import { startLlmWorker, type LlmWorker } from '../support/llm-worker.ts';

const answer = { title: 'Tides', summary: 'The moon pulls the sea [1].', body_markdown: 'The moon pulls the sea [1]. Twice a day [2].' };
// Long enough to cancel mid-call, well inside LLM_TIMEOUT_MS.
const slow = () => ({ ...chatCompletion(answer), delayMs: 1_500 });

describe('llm worker: a cancel during a call shared by identical prompts (real RabbitMQ and Redis, stub chat server)', () => {
  let stub: Awaited<ReturnType<typeof startChatStub>>;
  let llm: LlmWorker;
  let redis: Redis;

  before(async () => {
    stub = await startChatStub({}, slow);
    // One counted failure would open the breaker: a cancel must not be one.
    llm = await startLlmWorker({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${stub.url}/v1`,
      LLM_API_KEY: 'sk-test-cancel-5e1d',
      LLM_MODEL: 'gpt-4o-mini',
      LLM_TIMEOUT_MS: '10000',
      BREAKER_VOLUME: '1',
      STARTED_EVENT_DELAY_MS: '0',
    });
    redis = createRedis(BASE_URLS.redis, llm.config.REDIS_KEY_PREFIX, createLogger({ service: 'test', level: 'silent' }));
    if (redis.status !== 'ready') await once(redis, 'ready');
  });
  after(async () => {
    redis.disconnect();
    await llm.stop();
    await stub.close();
  });

  const inFlight = (topic: string) => pollUntil(`the ${topic} call to reach the provider`, async () => stub.requestsFor(topic).length > 0 || undefined);
  const breakerOpen = async () => (await llm.worker.metrics.breakerState.get()).values.some((v) => v.labels.breaker === 'llm:openai' && v.value === 1);
  const calls = (outcome: string) => llm.metric('llmCalls', { provider: 'openai', outcome });

  it('when one of two requests sharing a call is cancelled, then it stops at once and the other still gets the article from that one call', async () => {
    const task = aWriteTask({ brief: aBrief({ topic: 'shared tide call' }) });
    const [a, b] = [await llm.submit(task), await llm.submit(task)];
    await inFlight('shared tide call');
    // Both must be waiting on the call before one is cancelled: under load b's delivery can come late, and a call
    // whose only waiter was cancelled is abandoned, so b would rightly make a second one.
    for (const id of [a, b]) await llm.events.waitFor((e) => e.request_id === id && e.type === 'started');
    await markCancelled(redis, llm.config.REDIS_KEY_PREFIX, a);
    const cancelled = await llm.events.waitFor((e) => e.request_id === a && e.type === 'cancelled');
    assert.equal(cancelled.stage, 'write');
    const other = await llm.settled(b);
    assert.equal(other.type, 'completed', JSON.stringify(other.error));
    assert.equal(stub.requestsFor('shared tide call').length, 1, 'one call, not abandoned and asked again');
    // The one call is this request's own now: its spend counts once, not as an answer from the cache.
    assert.equal(other.result?.usage?.cached, false);
  });

  it('when every request waiting on a call is cancelled, then the call is abandoned, counted as cancelled, and the breaker stays closed', async () => {
    const [errorsBefore, cancelledBefore] = [await calls('error'), await calls('cancelled')];
    const task = aWriteTask({ brief: aBrief({ topic: 'abandoned tide call' }) });
    const [a, b] = [await llm.submit(task), await llm.submit(task)];
    await inFlight('abandoned tide call');
    for (const id of [a, b]) await llm.events.waitFor((e) => e.request_id === id && e.type === 'started');
    await Promise.all([markCancelled(redis, llm.config.REDIS_KEY_PREFIX, a), markCancelled(redis, llm.config.REDIS_KEY_PREFIX, b)]);
    for (const id of [a, b]) await llm.events.waitFor((e) => e.request_id === id && e.type === 'cancelled');
    await pollUntil('the abandoned call to be counted', async () => (await calls('cancelled')) > cancelledBefore || undefined);
    assert.equal(await calls('error'), errorsBefore, 'a cancel is not a provider error');
    assert.equal(await breakerOpen(), false, 'a cancel is not a breaker failure');
    // The next identical prompt starts its own call rather than joining the abandoned one.
    const again = await llm.settled(await llm.submit(task));
    assert.equal(again.type, 'completed', JSON.stringify(again.error));
    assert.equal(stub.requestsFor('abandoned tide call').length, 2);
  });
});
