import { performance } from 'node:perf_hooks';
import * as amqplib from 'amqplib';
import type { StageEvent } from '@pressroom/contracts';
import { BASE_URLS } from '@pressroom/test-support';

export interface Outcome {
  at: number;
  published: boolean;
  reason?: string;
}

/**
 * Learns when each request is published (or has failed) from the pipeline's own `pressroom.events`, through
 * an exclusive queue: no polling load on the gateway, and times taken on this process's clock, the same one
 * that timed the submission. `request.publish.completed` is the completion; the other stage events give the
 * per-stage breakdown (`marks`: first receipt of `<stage>.<type>` per request) and the retry count.
 */
export async function listenForOutcomes(prefix: string) {
  const conn = await amqplib.connect(BASE_URLS.rabbitmq);
  const ch = await conn.createChannel();
  const exchange = `${prefix}pressroom.events`;
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  for (const key of ['request.publish.completed', 'request.*.failed', 'request.*.started', 'request.*.completed', 'request.*.retrying']) await ch.bindQueue(queue, exchange, key);
  const outcomes = new Map<string, Outcome>();
  const marks = new Map<string, Record<string, number>>();
  const waiters = new Map<string, () => void>();
  let retries = 0;
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    const e = JSON.parse(msg.content.toString()) as StageEvent;
    const now = performance.now();
    if (e.type === 'retrying') retries++;
    const m = marks.get(e.request_id) ?? {};
    // At-least-once delivery may repeat an event: the first one is the moment it happened.
    m[`${e.stage}.${e.type}`] ??= now;
    marks.set(e.request_id, m);
    const terminal = e.type === 'failed' || (e.type === 'completed' && e.stage === 'publish');
    if (!terminal || outcomes.has(e.request_id)) return;
    const published = e.type === 'completed';
    outcomes.set(e.request_id, { at: now, published, ...(published ? {} : { reason: `${e.stage}:${e.error?.code ?? 'failed'}` }) });
    waiters.get(e.request_id)?.();
    waiters.delete(e.request_id);
  }, { noAck: true });

  return {
    outcomes,
    marks,
    retries: () => retries,
    /** Resolves when the request has an outcome, or after `timeoutMs` (a lane never hangs on a lost one). */
    settled(requestId: string, timeoutMs: number): Promise<void> {
      if (outcomes.has(requestId)) return Promise.resolve();
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          waiters.delete(requestId);
          resolve();
        }, timeoutMs);
        waiters.set(requestId, () => (clearTimeout(t), resolve()));
      });
    },
    close: () => conn.close().catch(() => undefined),
  };
}

export type OutcomeListener = Awaited<ReturnType<typeof listenForOutcomes>>;
