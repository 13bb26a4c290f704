import * as amqplib from 'amqplib';
import type { StageEvent } from '@pressroom/contracts';
import { BASE_URLS } from './test-env.ts';

/**
 * Listens to a test run's `pressroom.events` through an exclusive auto-delete queue and lets a test await
 * an event by predicate, instead of sleeping.
 */
export async function collectEvents(prefix: string) {
  const conn = await amqplib.connect(BASE_URLS.rabbitmq);
  const ch = await conn.createChannel();
  const exchange = `${prefix}pressroom.events`;
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  await ch.bindQueue(queue, exchange, 'request.#');
  const events: StageEvent[] = [];
  const waiters: Array<{ match: (e: StageEvent) => boolean; resolve: (e: StageEvent) => void }> = [];
  await ch.consume(
    queue,
    (msg) => {
      if (!msg) return;
      const e = JSON.parse(msg.content.toString()) as StageEvent;
      events.push(e);
      for (const w of [...waiters])
        if (w.match(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
    },
    { noAck: true },
  );
  return {
    events,
    waitFor(match: (e: StageEvent) => boolean, timeoutMs = 15_000): Promise<StageEvent> {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no matching event within ${timeoutMs} ms; saw ${events.map((e) => `${e.stage}.${e.type}`).join(', ')}`)),
          timeoutMs,
        );
        waiters.push({ match, resolve: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
    close: () => conn.close().catch(() => undefined),
  };
}
