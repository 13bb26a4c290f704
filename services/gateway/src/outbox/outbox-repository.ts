import type { DbClient } from '../db/pool.ts';

export interface OutboxRow {
  id: number;
  request_id: string;
  /** Only tasks go through the outbox (the column predates that). */
  exchange_key: 'tasks';
  routing_key: string;
  message: unknown;
  headers: Record<string, string>;
}

/** The one way a row enters the outbox: this insert, with `outboxValues` after the request id (the submit statement embeds it). */
export const OUTBOX_INSERT = 'INSERT INTO outbox (request_id, exchange_key, routing_key, message, headers)';
export const outboxValues = (m: Omit<OutboxRow, 'id' | 'request_id'>): unknown[] => [
  m.exchange_key,
  m.routing_key,
  JSON.stringify(m.message),
  JSON.stringify(m.headers),
];

/** `outboxValues` of many rows, column by column (arrays for `unnest`). */
export const outboxColumns = (ms: Array<Omit<OutboxRow, 'id' | 'request_id'>>): unknown[][] => {
  const rows = ms.map(outboxValues);
  return [0, 1, 2, 3].map((c) => rows.map((r) => r[c]));
};

export async function insertOutboxMessage(db: DbClient, m: Omit<OutboxRow, 'id'>): Promise<void> {
  await db.query(`${OUTBOX_INSERT} VALUES ($1, $2, $3, $4, $5)`, [m.request_id, ...outboxValues(m)]);
}

/** Claims a batch; SKIP LOCKED lets several gateway replicas relay side by side without double sends. */
export async function claimOutboxBatch(db: DbClient, limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>(
    'SELECT id, request_id, exchange_key, routing_key, message, headers FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
    [limit],
  );
  return rows;
}

export async function deleteOutboxRows(db: DbClient, ids: number[]): Promise<void> {
  await db.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
}
