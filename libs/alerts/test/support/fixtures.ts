import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '@pressroom/logger';
import { createMetrics } from '@pressroom/telemetry';
import type { Alert } from '../../src/index.ts';

/** Like the services' client: no offline queue, so a command against a Redis that is away fails at once. */
export function testRedis(url: string, keyPrefix: string): Redis {
  const redis = new Redis(url, { keyPrefix, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000, retryStrategy: () => 200 });
  redis.on('error', () => undefined);
  return redis;
}

export async function ready(redis: Redis): Promise<Redis> {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return redis;
}

/** A logger whose JSON lines the test can read. */
export function capturedLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const destination = new Writable({ write: (chunk: Buffer, _enc, done) => (raw.push(chunk.toString()), done()) });
  const logger = createLogger({ service: 'alerts-test', level: 'debug', destination });
  return {
    logger,
    lines: () =>
      raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export const newMetrics = () => createMetrics('alerts-test');

export async function counterValues(metrics: ReturnType<typeof newMetrics>): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric('pressroom_alerts_total');
  const out: Record<string, number> = {};
  for (const v of (await metric?.get())?.values ?? []) out[`${v.labels['kind']}/${v.labels['outcome']}/${v.labels['sink']}`] = v.value;
  return out;
}

export function llmFailure(overrides: Partial<Alert> = {}): Alert {
  return {
    kind: 'llm_failure',
    severity: 'critical',
    summary: 'LLM calls failing: provider openai answered 500',
    details: { provider: 'openai', model: 'gpt-4o-mini', status: 500 },
    request_id: '3f1c1a64-7c1e-4a53-9a43-2d1b0a6f9e10',
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    stage: 'write',
    ...overrides,
  };
}

/** Polls a condition (bounded): for state that has no event to await, like a Redis key expiring. */
export async function until(check: () => Promise<boolean>, timeoutMs = 5000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
