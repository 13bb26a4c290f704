import {
  STAGES,
  STATUS_WHILE,
  isFinalStatus,
  nextStage,
  type Article,
  type Channel,
  type LlmUsage,
  type RequestStatus,
  type StageError,
  type StageStatus,
} from '@pressroom/contracts';
import type { DbClient } from '../db/pool.ts';
import { sqlCase } from '../db/sql-literals.ts';

// A request in flight between stages: its status names the stage last started; once that stage completed, the next
// stage's task waits in its queue (a queued request's research task waits from the start).
const HANDED_ON = STAGES.filter((s) => nextStage(s) !== null);
const COMPLETED_STAGE = sqlCase('r.status', Object.fromEntries(HANDED_ON.map((s) => [STATUS_WHILE[s], s])));
const WAITING_STAGE = sqlCase('r.status', { queued: STAGES[0], ...Object.fromEntries(HANDED_ON.map((s) => [STATUS_WHILE[s], nextStage(s)!])) });

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
  published_url: string | null;
  error: StageError | null;
  created_at: string;
  updated_at: string;
}

/** A request with its article and LLM usage (written once, in `request_results`, when the write stage completes). */
export interface RequestDetailRow extends RequestRow {
  article: Article | null;
  usage: LlmUsage | null;
}

export interface StageRow {
  stage: 'research' | 'write' | 'publish';
  status: StageStatus;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  error: StageError | null;
}

export const REQUEST_COLUMNS = 'id, user_id, status, topic, audience, tone, length, channel, trace_id, published_url, error, created_at, updated_at';
const PREFIXED_COLUMNS = REQUEST_COLUMNS.split(', ')
  .map((c) => `r.${c}`)
  .join(', ');

/** Scoped by owner unless `userId` is null (admin): another user's id simply does not exist. */
export async function findRequest(db: DbClient, id: string, userId: string | null): Promise<RequestDetailRow | undefined> {
  const { rows } = await db.query<RequestDetailRow>(
    `SELECT ${PREFIXED_COLUMNS}, res.article, res.usage FROM content_requests r LEFT JOIN request_results res ON res.request_id = r.id
      WHERE r.id = $1 AND ($2::uuid IS NULL OR r.user_id = $2)`,
    [id, userId],
  );
  return rows[0];
}

// Named (prepared once per connection), and one round trip: the request, its article and its stages, which
// come back as one JSON array (in stage order) and get the API's timestamp format here, as other columns do
// through the type parser.
export const REQUEST_DETAIL_SQL = `SELECT ${PREFIXED_COLUMNS}, res.article, res.usage,
    (SELECT COALESCE(json_agg(json_build_object('stage', s.stage, 'status', s.status, 'attempts', s.attempts, 'started_at', s.started_at,
              'finished_at', s.finished_at, 'duration_ms', s.duration_ms, 'error', s.error) ORDER BY s.position), '[]')
       FROM request_stages s WHERE s.request_id = r.id) AS stages
  FROM content_requests r LEFT JOIN request_results res ON res.request_id = r.id
  WHERE r.id = $1 AND ($2::uuid IS NULL OR r.user_id = $2)`;

/** A request with its stages, scoped as `findRequest` is. */
export async function findRequestDetail(
  db: DbClient,
  id: string,
  userId: string | null,
): Promise<{ request: RequestDetailRow; stages: StageRow[] } | undefined> {
  const { rows } = await db.query<RequestDetailRow & { stages: StageRow[] }>({ name: 'request-detail', text: REQUEST_DETAIL_SQL, values: [id, userId] });
  const row = rows[0];
  if (!row) return undefined;
  const { stages, ...request } = row;
  const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());
  return { request, stages: stages.map((st) => ({ ...st, started_at: iso(st.started_at), finished_at: iso(st.finished_at) })) };
}

export interface ListFilter {
  userId: string | null;
  status?: RequestStatus | undefined;
  before?: { created_at: string; id: string } | undefined;
  /** Created at or after this instant (the admin list's time filter). */
  since?: string | undefined;
  limit: number;
}

/**
 * `outcome` is what the indexes know of the status (migration 005): the final status, or `in_flight`. A filter
 * on an in-flight status is a range over that user's (or everyone's) requests in flight, filtered by status.
 */
function outcomeOf(status: RequestStatus): string {
  return isFinalStatus(status) ? status : 'in_flight';
}

export const LIST_REQUESTS_SQL = `SELECT ${REQUEST_COLUMNS} FROM content_requests
  WHERE ($1::uuid IS NULL OR user_id = $1)
    AND ($2::text IS NULL OR (outcome = $6 AND status = $2))
    AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
    AND ($7::timestamptz IS NULL OR created_at >= $7)
  ORDER BY created_at DESC, id DESC
  LIMIT $5`;

/** Keyset pagination on (created_at, id): stable under inserts, and each page is one index range scan. */
export async function listRequests(db: DbClient, f: ListFilter): Promise<RequestRow[]> {
  const { rows } = await db.query<RequestRow>(LIST_REQUESTS_SQL, [
    f.userId,
    f.status ?? null,
    f.before?.created_at ?? null,
    f.before?.id ?? null,
    f.limit,
    f.status ? outcomeOf(f.status) : null,
    f.since ?? null,
  ]);
  return rows;
}

/**
 * Seconds the oldest task still waiting in a stage queue has waited, from the gateway's own state: a request's
 * current task waits from its enqueueing (the request's creation for research, the previous stage's completion
 * for write and publish) until its `started` event. One range over the in-flight index, newer than the horizon.
 */
export const OLDEST_WAITING_TASK_SQL = `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(CASE WHEN r.status = 'queued' THEN r.created_at ELSE s.finished_at END)), 0)::float8 AS age_s
  FROM content_requests r
  LEFT JOIN request_stages s ON s.request_id = r.id AND s.status = 'completed'
   AND s.stage = ${COMPLETED_STAGE}
 WHERE r.outcome = 'in_flight' AND r.created_at > now() - make_interval(secs => $1)`;

export async function oldestWaitingTaskAgeS(db: DbClient, horizonS: number): Promise<number> {
  const { rows } = await db.query<{ age_s: number }>(OLDEST_WAITING_TASK_SQL, [horizonS]);
  return rows[0]?.age_s ?? 0;
}

/**
 * Per stage, the tasks waiting to start and how long the oldest has waited, by the same reading of the
 * gateway's state as OLDEST_WAITING_TASK_SQL: a queued request waits in research, a researching one whose
 * research completed waits in write, a writing one whose write completed waits in publish.
 */
const WAITING_TASKS_BY_STAGE_SQL = `SELECT ${WAITING_STAGE} AS stage,
       count(*)::int AS waiting,
       COALESCE(EXTRACT(EPOCH FROM now() - min(CASE WHEN r.status = 'queued' THEN r.created_at ELSE s.finished_at END)), 0)::float8 AS oldest_s
  FROM content_requests r
  LEFT JOIN request_stages s ON s.request_id = r.id AND s.status = 'completed'
   AND s.stage = ${COMPLETED_STAGE}
 WHERE r.outcome = 'in_flight' AND r.created_at > now() - make_interval(secs => $1)
   AND (r.status = 'queued' OR s.finished_at IS NOT NULL)
 GROUP BY 1`;

export async function waitingTasksByStage(db: DbClient, horizonS: number): Promise<Map<string, { waiting: number; oldest_s: number }>> {
  const { rows } = await db.query<{ stage: string; waiting: number; oldest_s: number }>(WAITING_TASKS_BY_STAGE_SQL, [horizonS]);
  return new Map(rows.map((r) => [r.stage, { waiting: r.waiting, oldest_s: Math.max(0, r.oldest_s) }]));
}
