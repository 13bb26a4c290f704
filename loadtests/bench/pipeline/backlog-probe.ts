import pg from 'pg';
import { databaseUrl } from '@pressroom/test-support';
import { connectBroker, queueDepth } from '../support/broker-admin.ts';
import { sleep } from '../support/stats.ts';

const QUEUES = ['research.tasks', 'write.tasks', 'publish.tasks', 'gateway.events'];

export type Backlog = Record<string, number>;

/**
 * Where work waits: rows in the gateway's outbox (accepted, not yet relayed; -1 if the table has another
 * name by now) and messages ready in each queue (including the tracker's `gateway.events`). Sampled every
 * few seconds; the largest value per place names the bottleneck. Its PostgreSQL connection (`pgPid`) is left
 * out of the PostgreSQL CPU figure.
 */
export async function startBacklogProbe(id: string, prefix: string, everyMs = 5000) {
  const db = new pg.Client({ connectionString: databaseUrl(id) });
  await db.connect();
  const pgPid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const conn = await connectBroker();
  const peak: Backlog = {};
  let running = true;

  async function sample(): Promise<void> {
    const now: Backlog = {};
    now['outbox'] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox').then(
      (r) => r.rows[0]?.n ?? 0,
      () => -1,
    );
    for (const q of QUEUES) now[q] = await queueDepth(conn, `${prefix}${q}`);
    for (const [k, v] of Object.entries(now)) peak[k] = Math.max(peak[k] ?? -1, v);
  }

  const loop = (async () => {
    while (running) {
      await sample().catch(() => undefined);
      for (let t = 0; running && t < everyMs; t += 250) await sleep(250);
    }
  })();

  return {
    pgPid,
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
