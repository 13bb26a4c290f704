import * as amqplib from 'amqplib';
import pg from 'pg';
import { BASE_URLS, databaseUrl } from '@pressroom/test-support';
import { sleep } from '../support/stats.ts';

const QUEUES = ['research.tasks', 'write.tasks', 'publish.tasks', 'gateway.events'];

export type Backlog = Record<string, number>;

/**
 * Where work waits: rows in the gateway's outbox (accepted, not yet relayed) and messages ready in each queue
 * (including the tracker's `gateway.events`). Sampled every few seconds during a phase; the largest value
 * per place names the bottleneck.
 */
export async function startBacklogProbe(id: string, prefix: string, everyMs = 5000) {
  const db = new pg.Client({ connectionString: databaseUrl(id) });
  await db.connect();
  const conn = await amqplib.connect(BASE_URLS.rabbitmq);
  const peak: Backlog = {};
  let running = true;

  async function sample(): Promise<Backlog> {
    const now: Backlog = {};
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    now['outbox'] = rows[0]?.n ?? 0;
    for (const q of QUEUES) {
      // A fresh channel per check: checking a queue that does not exist closes the channel.
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      now[q] = await ch.checkQueue(`${prefix}${q}`).then((r) => r.messageCount, () => -1);
      await ch.close().catch(() => undefined);
    }
    for (const [k, v] of Object.entries(now)) peak[k] = Math.max(peak[k] ?? 0, v);
    return now;
  }

  const loop = (async () => {
    while (running) {
      await sample().catch(() => undefined);
      await sleep(everyMs);
    }
  })();

  return {
    peak,
    reset: () => Object.keys(peak).forEach((k) => delete peak[k]),
    async stop(): Promise<void> {
      running = false;
      await loop;
      await db.end().catch(() => undefined);
      await conn.close().catch(() => undefined);
    },
  };
}
