import type { StageEvent } from '@pressroom/contracts';
import { inTransaction, type Db, type DbClient } from '../db/pool.ts';

// Events can arrive late or twice (at-least-once, several in flight), so every update is guarded:
// a stage never leaves `completed`/`failed`, attempts only grow, and a request's status only moves forward.
const STAGE_SQL: Record<StageEvent['type'], string> = {
  started: `UPDATE request_stages SET
      status = CASE WHEN status IN ('completed', 'failed') THEN status ELSE 'running' END,
      attempts = GREATEST(attempts, $3),
      started_at = LEAST(COALESCE(started_at, $4::timestamptz), $4::timestamptz),
      duration_ms = CASE WHEN finished_at IS NOT NULL THEN (EXTRACT(EPOCH FROM finished_at - LEAST(COALESCE(started_at, $4::timestamptz), $4::timestamptz)) * 1000)::int ELSE duration_ms END
    WHERE request_id = $1 AND stage = $2 AND $5::text IS NULL`,
  retrying: `UPDATE request_stages SET
      status = CASE WHEN status IN ('completed', 'failed') THEN status ELSE 'retrying' END,
      attempts = GREATEST(attempts, $3),
      started_at = COALESCE(started_at, $4::timestamptz),
      error = CASE WHEN status IN ('completed', 'failed') THEN error ELSE $5::jsonb END
    WHERE request_id = $1 AND stage = $2`,
  completed: `UPDATE request_stages SET
      status = CASE WHEN status = 'failed' THEN status ELSE 'completed' END,
      error = CASE WHEN status = 'failed' THEN error ELSE NULL END,
      attempts = GREATEST(attempts, $3),
      started_at = COALESCE(started_at, $4::timestamptz - make_interval(secs => COALESCE($5::int, 0) / 1000.0)),
      finished_at = $4::timestamptz,
      duration_ms = (EXTRACT(EPOCH FROM $4::timestamptz - COALESCE(started_at, $4::timestamptz - make_interval(secs => COALESCE($5::int, 0) / 1000.0))) * 1000)::int
    WHERE request_id = $1 AND stage = $2 AND status <> 'completed'`,
  failed: `UPDATE request_stages SET
      status = CASE WHEN status = 'completed' THEN status ELSE 'failed' END,
      attempts = GREATEST(attempts, $3),
      started_at = COALESCE(started_at, $4::timestamptz),
      finished_at = COALESCE(finished_at, $4::timestamptz),
      duration_ms = COALESCE(duration_ms, (EXTRACT(EPOCH FROM $4::timestamptz - COALESCE(started_at, $4::timestamptz)) * 1000)::int),
      error = CASE WHEN status = 'completed' THEN error ELSE $5::jsonb END
    WHERE request_id = $1 AND stage = $2`,
};

const STATUS_ON_START = { research: 'researching', write: 'writing', publish: 'publishing' } as const;
const RANK = "CASE status WHEN 'queued' THEN 0 WHEN 'researching' THEN 1 WHEN 'writing' THEN 2 WHEN 'publishing' THEN 3 WHEN 'published' THEN 4 WHEN 'failed' THEN 5 END";
const rankOf = { queued: 0, researching: 1, writing: 2, publishing: 3, published: 4, failed: 5 } as const;

/**
 * Folds stage events into their requests' timelines and statuses, in order, in one transaction (one commit for
 * the lot). For each event, the request's new status if it changed.
 */
export async function recordStageEvents(db: Db, events: StageEvent[]): Promise<Array<StatusChange | undefined>> {
  return inTransaction(db, async (tx) => {
    const changes: Array<StatusChange | undefined> = [];
    for (const e of events) changes.push(await applyStageEvent(tx, e));
    return changes;
  });
}

export type StatusChange = { status: string; created_at: string };

// Applied together with a stage's update in one statement (a data-modifying CTE): one round trip per event.
// RETURNING's subquery still sees the row as it was before the statement, which tells whether the status moved.
const REQUEST_SQL = `UPDATE content_requests SET
    status = CASE WHEN $6::text IS NOT NULL AND ${RANK} < $7::int AND status NOT IN ('published', 'failed') THEN $6 ELSE status END,
    article = COALESCE($8::jsonb, article),
    published_url = COALESCE($9::text, published_url),
    error = CASE WHEN $6 = 'failed' AND status NOT IN ('published', 'failed') THEN $10::jsonb ELSE error END,
    updated_at = now()
  WHERE id = $1
  RETURNING status, created_at, status IS DISTINCT FROM (SELECT c.status FROM content_requests c WHERE c.id = $1) AS changed`;

async function applyStageEvent(tx: DbClient, e: StageEvent): Promise<StatusChange | undefined> {
  let status: keyof typeof rankOf | undefined;
  if (e.type === 'started') status = STATUS_ON_START[e.stage];
  if (e.type === 'completed' && e.stage === 'publish') status = 'published';
  if (e.type === 'failed') status = 'failed';
  const extra = { started: null, completed: e.duration_ms ?? null, retrying: json(e.error), failed: json(e.error) }[e.type];
  const article = e.type === 'completed' && e.result?.article ? JSON.stringify(e.result.article) : null;
  const publishedUrl = e.type === 'completed' ? (e.result?.published_url ?? null) : null;
  const { rows } = await tx.query<{ status: string; changed: boolean; created_at: string }>(`WITH stage_update AS (${STAGE_SQL[e.type]}) ${REQUEST_SQL}`, [
    e.request_id,
    e.stage,
    e.attempt,
    e.at,
    extra,
    status ?? null,
    status ? rankOf[status] : null,
    article,
    publishedUrl,
    e.error ? json({ stage: e.stage, ...e.error }) : null,
  ]);
  const row = rows[0];
  return row && row.changed && row.status === status ? { status: row.status, created_at: row.created_at } : undefined;
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
