import type { Article, Channel, RequestStatus, StageError } from '@pressroom/contracts';
import type { DbClient } from '../db/pool.ts';
import type { OutboxRow } from '../outbox/outbox-repository.ts';

export interface RequestRow {
  id: string;
  user_id: string;
  status: RequestStatus;
  topic: string;
  audience: string | null;
  tone: 'neutral' | 'formal' | 'casual' | 'persuasive';
  length: 'short' | 'medium' | 'long';
  channel: Channel;
  trace_id: string | null;
  article: Article | null;
  published_url: string | null;
  error: StageError | null;
  created_at: string;
  updated_at: string;
}

export interface StageRow {
  stage: 'research' | 'write' | 'publish';
  status: 'pending' | 'running' | 'retrying' | 'completed' | 'failed';
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  error: StageError | null;
}

const COLUMNS = 'id, user_id, status, topic, audience, tone, length, channel, trace_id, article, published_url, error, created_at, updated_at';
const SUMMARY_COLUMNS = 'id, user_id, status, topic, audience, tone, length, channel, trace_id, NULL::jsonb AS article, published_url, error, created_at, updated_at';

/**
 * The request, its three stage rows and its first task in the outbox, in one statement: each round trip
 * inside the submit transaction is time that the per-user lock and a pool connection are held.
 */
export async function insertRequestWithTask(
  db: DbClient,
  r: Pick<RequestRow, 'id' | 'user_id' | 'topic' | 'audience' | 'tone' | 'length' | 'channel' | 'trace_id'>,
  task: Omit<OutboxRow, 'id'>,
): Promise<RequestRow> {
  const { rows } = await db.query<RequestRow>(
    `WITH request AS (
       INSERT INTO content_requests (id, user_id, topic, audience, tone, length, channel, trace_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}
     ), stages AS (
       INSERT INTO request_stages (request_id, stage, position) VALUES ($1, 'research', 1), ($1, 'write', 2), ($1, 'publish', 3)
     ), task AS (
       INSERT INTO outbox (request_id, exchange_key, routing_key, message, headers) VALUES ($1, $9, $10, $11, $12)
     )
     SELECT * FROM request`,
    [r.id, r.user_id, r.topic, r.audience, r.tone, r.length, JSON.stringify(r.channel), r.trace_id, task.exchange_key, task.routing_key, JSON.stringify(task.message), JSON.stringify(task.headers)],
  );
  return rows[0]!;
}

/** The user's quota override and today's count, in one round trip. */
export async function quotaUsage(db: DbClient, userId: string, since: Date): Promise<{ daily_quota: number | null; used: number }> {
  const { rows } = await db.query<{ daily_quota: number | null; used: number }>(
    'SELECT (SELECT daily_quota FROM users WHERE id = $1) AS daily_quota, (SELECT count(*)::int FROM content_requests WHERE user_id = $1 AND created_at >= $2) AS used',
    [userId, since],
  );
  return rows[0] ?? { daily_quota: null, used: 0 };
}

/** Scoped by owner unless `userId` is null (admin): another user's id simply does not exist. */
export async function findRequest(db: DbClient, id: string, userId: string | null): Promise<RequestRow | undefined> {
  const { rows } = await db.query<RequestRow>(`SELECT ${COLUMNS} FROM content_requests WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)`, [id, userId]);
  return rows[0];
}

export async function findStages(db: DbClient, id: string): Promise<StageRow[]> {
  const { rows } = await db.query<StageRow>(
    'SELECT stage, status, attempts, started_at, finished_at, duration_ms, error FROM request_stages WHERE request_id = $1 ORDER BY position',
    [id],
  );
  return rows;
}

export interface ListFilter {
  userId: string | null;
  status?: RequestStatus | undefined;
  before?: { created_at: string; id: string } | undefined;
  limit: number;
}

/** Keyset pagination on (created_at, id): stable under inserts, and each page is one index range scan. */
export async function listRequests(db: DbClient, f: ListFilter): Promise<RequestRow[]> {
  const { rows } = await db.query<RequestRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM content_requests
      WHERE ($1::uuid IS NULL OR user_id = $1)
        AND ($2::text IS NULL OR status = $2)
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $5`,
    [f.userId, f.status ?? null, f.before?.created_at ?? null, f.before?.id ?? null, f.limit],
  );
  return rows;
}

export async function countRequestsSince(db: DbClient, userId: string, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM content_requests WHERE user_id = $1 AND created_at >= $2', [userId, since]);
  return rows[0]?.n ?? 0;
}
