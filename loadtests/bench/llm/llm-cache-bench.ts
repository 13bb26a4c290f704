import { createNullAlerter } from '@pressroom/alerts';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { closeRedis, createRedis, waitForRedis } from '@pressroom/cache';
import { createLogger } from '@pressroom/logger';
import { createBreakers } from '@pressroom/resilience';
import { createMetrics } from '@pressroom/telemetry';
import { cleanupRedis, startHttpStub, testConfig, testId } from '@pressroom/test-support';
import { createWriteHandler } from '../../../services/llm/src/write-handler.ts';
import { distribution, log, type Distribution } from '../support/stats.ts';

export interface LlmCacheBenchResult {
  providerLatencyMs: number;
  uncached: Distribution;
  cached: Distribution;
  /** Calls that reached the provider stub: every uncached prompt once, no cached one. */
  providerCalls: number;
}

type WriteTask = Parameters<ReturnType<typeof createWriteHandler>>[0];

const ANSWER = {
  title: 'How Honeybees Communicate',
  summary: 'Honeybees share the direction and distance of food through the waggle dance [1].',
  body_markdown: 'Forager bees perform a waggle dance [1]. The angle of the run encodes direction [2]. Its length encodes distance [1].',
};

function task(topic: string): WriteTask {
  const sources = [1, 2].map((i) => ({
    title: `Source ${i} on ${topic}`,
    url: `https://example.org/${i}`,
    snippet: 'Bees dance to share where food is.',
    text: 'Forager honeybees perform a waggle dance on the comb. The angle of the waggle run encodes the direction of the food. The duration of the run encodes the distance.',
  }));
  return {
    message_id: randomUUID(),
    request_id: randomUUID(),
    user_id: randomUUID(),
    stage: 'write',
    attempt: 1,
    enqueued_at: new Date().toISOString(),
    payload: { brief: { topic, tone: 'neutral', length: 'short' }, channel: { type: 'file' }, sources },
  };
}

/**
 * The llm worker's write handler in this process, built from the same dependencies `runWorker` gives it,
 * against an OpenAI-compatible stub that always takes 200 ms: a first prompt pays the provider, a repeated
 * one is answered from the Redis response cache. Timed around the handler (prompt, hash, cache, article).
 */
export async function runLlmCacheBench(opts: { iterations: number; repeats?: number }): Promise<LlmCacheBenchResult> {
  const providerLatencyMs = 200;
  const stub = await startHttpStub(() => ({
    delayMs: providerLatencyMs,
    body: {
      model: 'bench-model',
      choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(ANSWER) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 800, completion_tokens: 200 },
    },
  }));
  const id = testId('benchllm');
  const config = testConfig('llm', id, { LLM_PROVIDER: 'openai', LLM_BASE_URL: `${stub.url}/v1`, LLM_MODEL: 'bench-model', LOG_LEVEL: 'warn' });
  const logger = createLogger({ service: 'llm', level: 'warn' });
  const metrics = createMetrics('llm');
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger);
  await waitForRedis(redis);
  const breakers = createBreakers({ service: 'llm', logger, metrics, redis });
  try {
    const handle = createWriteHandler({ config, logger, metrics, redis, breakers, alerts: createNullAlerter() });
    const timed = async (t: WriteTask) => {
      const started = performance.now();
      await handle(t);
      return performance.now() - started;
    };
    // Warm-up: JIT, the HTTP client's connection, Redis; not recorded.
    for (let i = 0; i < 5; i++) for (let r = 0; r < 20; r++) await timed(task(`warm-up topic ${i}`));
    const topics = Array.from({ length: opts.iterations }, (_, i) => `how honeybees communicate, variant ${i}`);
    const uncached: number[] = [];
    for (const topic of topics) uncached.push(await timed(task(topic)));
    const cached: number[] = [];
    for (let r = 0; r < (opts.repeats ?? 20); r++) for (const topic of topics) cached.push(await timed(task(topic)));
    const result = { providerLatencyMs, uncached: distribution(uncached), cached: distribution(cached), providerCalls: stub.requests.length - 5 };
    log(
      `llm: uncached p50 ${result.uncached.p50} ms p99 ${result.uncached.p99} ms; cached p50 ${result.cached.p50} ms p99 ${result.cached.p99} ms (${cached.length} calls)`,
    );
    return result;
  } finally {
    await breakers.close();
    await closeRedis(redis);
    await cleanupRedis(id);
    await stub.close();
  }
}
