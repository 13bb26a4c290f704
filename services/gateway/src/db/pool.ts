import pg from 'pg';
import type { Logger } from '@pressroom/logger';
import { inBackground } from '@pressroom/telemetry';

export type Db = pg.Pool;
export type DbClient = pg.PoolClient | pg.Pool;

// Timestamps and bigints arrive as strings; the API formats timestamps itself and counts stay small.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v).toISOString());

/**
 * `queryTimeoutMs` bounds a query on the client's side too, for a connection that dies without a reset (a
 * failover, a dropped NAT entry): the query fails, and the pool replaces the client. TCP keep-alive finds such
 * a connection while it is idle.
 */
export function createPool(url: string, max: number, logger: Logger, opts: { queryTimeoutMs?: number } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 10_000,
    keepAlive: true,
    ...(opts.queryTimeoutMs ? { query_timeout: opts.queryTimeoutMs } : {}),
    application_name: 'pressroom-gateway',
  });
  // An idle client losing its connection (database restart) must not crash the process; the pool replaces it.
  // The event comes from the client's socket, in the context of the call whose query opened it: the line is
  // the pool's, not that request's.
  pool.on('error', (err) => inBackground(() => logger.warn({ err }, 'idle database connection lost')));
  return pool;
}

/**
 * Lends `fn` one client of the pool's, guarded: pg-pool drops its own 'error' listener while a client is lent, so a
 * connection lost between two queries (the outbox relay awaits broker confirms inside its transaction) would be an
 * unhandled 'error' event and end the process. A lost client is destroyed on release instead of going back to the
 * pool; the next query on it fails, saying why, as any query does while the database is away.
 */
export async function withClient<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let lost: Error | undefined;
  const onLost = (err: Error) => {
    lost = err;
  };
  client.on('error', onLost);
  try {
    return await fn(client);
  } finally {
    client.off('error', onLost);
    client.release(lost);
  }
}

export function inTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(db, async (client) => {
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** Connection-level failures (the server is down, restarting or unreachable), as opposed to a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  const message = (err as Error)?.message ?? '';
  return UNAVAILABLE_CODES.has(code) || /timeout exceeded when trying to connect|Connection terminated|connection to server/i.test(message);
}

/** RabbitMQ's consumer_timeout is 30 minutes; a message held longer would have its channel closed under it. */
const DEFAULT_HOLD_MS = 10 * 60_000;

/**
 * Runs `work`, retrying with backoff (0.25 s doubling to 5 s) while the database is unreachable, so a queue
 * consumer can hold its message instead of requeueing it: requeues count toward a quorum queue's delivery
 * limit, and an outage must not push messages past it. Any other error, an outage longer than `holdMs`, or
 * `keepHolding()` turning false ends the wait by rethrowing.
 */
export async function retryWhileDatabaseUnavailable<T>(
  work: () => Promise<T>,
  opts: { logger: Logger; what: string; holdMs?: number; keepHolding?: () => boolean },
): Promise<T> {
  const since = Date.now();
  for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
    try {
      return await work();
    } catch (err) {
      const hold = isDatabaseUnavailable(err) && Date.now() - since < (opts.holdMs ?? DEFAULT_HOLD_MS) && (opts.keepHolding?.() ?? true);
      if (!hold) throw err;
      opts.logger.warn({ err, retry_in_ms: wait }, `database unavailable; holding ${opts.what} until it returns`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
