import { FINAL_REQUEST_STATUSES, FINAL_STAGE_STATUSES, STATUS_RANK, STATUS_WHILE, type Stage } from '@pressroom/contracts';
import type { DbClient } from '../db/pool.ts';
import { sqlCase, sqlList } from '../db/sql-literals.ts';
import { quotaWindow } from '../requests/quota.ts';
import { foldEvents, type StageEventInput } from './event-fold.ts';

/**
 * The one writer of a request's progress and status (stage events, dead letters and replays all come here).
 * A batch of events costs one statement, so one round trip and one commit in autocommit: each stage row and
 * each request row touched is updated once, and the article is inserted once into `request_results`. The
 * columns written are in no index (the status filters use `outcome`, migration 005), so on pages with room
 * the updates are HOT.
 *
 * The guards read the row as it is when locked (PostgreSQL re-evaluates SET against the latest version under
 * READ COMMITTED), so concurrent batches from other replicas compose: a stage keeps its first final state,
 * attempts only grow, a status only moves forward and never leaves `published`/`failed`/`cancelled` (only an
 * operator's replay takes a request out of `failed`: reopenRequest).
 *
 * The article's LLM usage goes into `request_results` beside it, and its cost onto the owner's `daily_usage` row of
 * the day ($5) the article was stored, only when that insert happened: a redelivered event spends nothing twice.
 * Costs are summed per user and the counter rows locked in user order, so concurrent batches cannot deadlock.
 *
 * The same statement appends the batch's timeline entries to `request_events` (what SSE streams read): each
 * request row hands out sequence numbers from its `event_seq` (reserving one for a status change), and the
 * row's lock orders concurrent batches, so a request's events are numbered in commit order on every replica.
 * The status before the batch is read by `locked` (FOR UPDATE, in id order), which waits for a concurrent batch
 * and then sees its committed status: a plain join would read the statement's snapshot, so two batches racing
 * on one request would both see the old status, and both record (and count) the same status change.
 *
 * Only the events of a request's current run change it: `locked` also reads its run (`replays`; 0 for a request
 * reopened before tasks carried their run, migration 013), and a delta of an earlier run (an event of the failed
 * run arriving after an operator's replay reopened the request) matches no row, so it neither fails the new run
 * nor enters its timeline.
 */
const FINAL = sqlList(FINAL_STAGE_STATUSES);
const FINAL_REQUEST = sqlList(FINAL_REQUEST_STATUSES);
const STAGE_STARTED = 'LEAST(s.started_at, d.started_at)';
const STAGE_FINISHED = `CASE WHEN s.status IN ${FINAL} THEN s.finished_at ELSE COALESCE(d.finished_at, s.finished_at) END`;
const RANK = sqlCase('r.status', STATUS_RANK);

// The LIMITs change no result: they tell the planner how many rows each recordset holds (it assumes 100), so that
// a batch of a few events is applied by primary-key probes rather than by hashing a scan of the whole table.
export const APPLY_EVENTS_SQL = `WITH stage_delta AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS d (request_id uuid, run int, stage text, terminal text, progress text, attempts int,
      started_at timestamptz, finished_at timestamptz, error jsonb) LIMIT $3
  ), request_delta AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS d (request_id uuid, run int, progress text, progress_rank int, terminal text, error jsonb, published_url text, article jsonb,
      usage jsonb, entries jsonb, entry_count int) LIMIT $4
  ), locked AS (
    SELECT c.id, c.status, CASE WHEN c.legacy_run THEN 0 ELSE c.replays END AS run
      FROM content_requests c WHERE c.id IN (SELECT request_id FROM request_delta) ORDER BY c.id FOR UPDATE
  ), stages AS (
    UPDATE request_stages s SET
      status = CASE WHEN s.status IN ${FINAL} THEN s.status ELSE COALESCE(d.terminal, d.progress, s.status) END,
      attempts = GREATEST(s.attempts, d.attempts),
      started_at = ${STAGE_STARTED},
      finished_at = ${STAGE_FINISHED},
      duration_ms = CASE WHEN ${STAGE_FINISHED} IS NULL THEN s.duration_ms ELSE (EXTRACT(EPOCH FROM ${STAGE_FINISHED} - ${STAGE_STARTED}) * 1000)::int END,
      error = CASE WHEN s.status IN ${FINAL} THEN s.error WHEN d.terminal = 'completed' THEN NULL ELSE COALESCE(d.error, s.error) END
    FROM stage_delta d JOIN locked cur ON cur.id = d.request_id AND cur.run = d.run
    WHERE s.request_id = d.request_id AND s.stage = d.stage
  ), requests AS (
    UPDATE content_requests r SET
      status = CASE WHEN r.status IN ${FINAL_REQUEST} THEN r.status WHEN d.terminal IS NOT NULL THEN d.terminal WHEN d.progress_rank > ${RANK} THEN d.progress ELSE r.status END,
      error = CASE WHEN r.status NOT IN ${FINAL_REQUEST} AND d.terminal = 'failed' THEN d.error ELSE r.error END,
      published_url = COALESCE(d.published_url, r.published_url),
      event_seq = r.event_seq + d.entry_count + 1,
      updated_at = now()
    FROM request_delta d JOIN locked prev ON prev.id = d.request_id AND prev.run = d.run
    WHERE r.id = d.request_id
    RETURNING r.id, r.user_id, r.status, r.created_at, prev.status AS previous_status, prev.run, r.event_seq, r.replays, r.published_url, r.error
  ), results AS (
    INSERT INTO request_results (request_id, article, usage)
    SELECT d.request_id, d.article, d.usage FROM request_delta d JOIN requests u ON u.id = d.request_id AND u.run = d.run WHERE d.article IS NOT NULL
    ON CONFLICT (request_id) DO NOTHING
    RETURNING request_id, usage
  ), spend AS (
    INSERT INTO daily_usage AS du (user_id, day, used, spent_usd)
    SELECT u.user_id, $5::date, 0, sum((res.usage->>'cost_usd')::numeric)
      FROM results res JOIN requests u ON u.id = res.request_id
     WHERE (res.usage->>'cost_usd')::numeric > 0
     GROUP BY u.user_id ORDER BY u.user_id
    ON CONFLICT (user_id, day) DO UPDATE SET spent_usd = du.spent_usd + EXCLUDED.spent_usd
  ), timeline AS (
    INSERT INTO request_events (request_id, key, seq, event, data)
    SELECT u.id, CASE WHEN u.replays = 0 THEN e.key ELSE e.key || '.replay' || u.replays END, u.event_seq - d.entry_count - 1 + e.ord, e.event, e.data
      FROM requests u JOIN request_delta d ON d.request_id = u.id AND d.run = u.run
     CROSS JOIN LATERAL jsonb_to_recordset(d.entries) AS e (key text, event text, ord int, data jsonb)
     WHERE u.previous_status NOT IN ${FINAL_REQUEST}
    UNION ALL
    SELECT u.id, 'status.' || u.event_seq, u.event_seq, 'request.status',
           jsonb_strip_nulls(jsonb_build_object('request_id', u.id, 'status', u.status, 'previous_status', u.previous_status, 'at', now(),
             'published_url', CASE WHEN u.status = 'published' THEN u.published_url END, 'error', CASE WHEN u.status = 'failed' THEN u.error END))
      FROM requests u WHERE u.status IS DISTINCT FROM u.previous_status
    ON CONFLICT (request_id, key) DO NOTHING
  )
  SELECT id AS request_id, status, created_at FROM requests WHERE status IS DISTINCT FROM previous_status`;

export type StatusChange = { request_id: string; status: string; created_at: string };

/** Applies a batch of stage events (in arrival order); returns the requests whose status moved. */
export async function applyStageEvents(db: DbClient, events: readonly StageEventInput[]): Promise<StatusChange[]> {
  if (events.length === 0) return [];
  const { stages, requests } = foldEvents(events);
  // Not a named (prepared) statement, unlike the submit: its best join depends on the tables' sizes, and a generic
  // plan made while they were small (hash joins over sequential scans) would be kept as they grow.
  const { rows } = await db.query<StatusChange>(APPLY_EVENTS_SQL, [
    JSON.stringify(stages),
    JSON.stringify(requests),
    stages.length,
    requests.length,
    quotaWindow().day,
  ]);
  return rows;
}

/**
 * A replayed task puts its failed request back in flight at that stage; its events move it on from there. The
 * stage starts over (no attempts, no start), the request counts one more replay (the key of the new run's events,
 * APPLY_EVENTS_SQL) and its timeline records the move out of `failed` as a status event, so a stream shows the
 * failure, the reopening and the new run in order. Returns whether the request was reopened (it was `failed`), its
 * run (Envelope.run) and the status it had (null: no such request).
 */
export async function reopenRequest(db: DbClient, requestId: string, stage: Stage): Promise<{ reopened: boolean; run: number; status: string | null }> {
  // `current` locks the row first and reads it as committed then: a concurrent replay of another of the request's
  // letters has either reopened it (so this one does not, and takes that run) or not yet begun.
  const { rows } = await db.query<{ reopened: boolean; run: number; status: string | null }>(
    `WITH current AS (
       SELECT id, status, replays FROM content_requests WHERE id = $1 FOR UPDATE
     ), request AS (
       UPDATE content_requests c SET status = $3, error = NULL, replays = c.replays + 1, legacy_run = false,
              event_seq = c.event_seq + 1, updated_at = now()
         FROM current WHERE c.id = current.id AND current.status = 'failed'
       RETURNING c.id, c.event_seq, c.replays
     ), stage AS (
       UPDATE request_stages s SET status = 'pending', attempts = 0, started_at = NULL, finished_at = NULL, duration_ms = NULL, error = NULL
         FROM request r WHERE s.request_id = r.id AND s.stage = $2 AND s.status <> 'completed'
     ), timeline AS (
       INSERT INTO request_events (request_id, key, seq, event, data)
       SELECT id, 'status.' || event_seq, event_seq, 'request.status',
              jsonb_build_object('request_id', id, 'status', $3::text, 'previous_status', 'failed', 'at', now())
         FROM request
     )
     SELECT EXISTS (SELECT 1 FROM request) AS reopened, COALESCE((SELECT replays FROM request), (SELECT replays FROM current), 0) AS run,
            (SELECT status FROM current) AS status`,
    [requestId, stage, STATUS_WHILE[stage]],
  );
  return rows[0] ?? { reopened: false, run: 0, status: null };
}

export type CancelOutcome = { kind: 'accepted' } | { kind: 'final'; status: string } | { kind: 'not_found' };

/**
 * Records the owner's (or an admin's, `userId` null) wish to stop a request still in flight. The status stays
 * as it is: a worker ends the request at its next stage boundary (a `cancelled` event, through this writer's
 * batch statement). Asking again while it stops keeps the first time.
 */
export async function recordCancelRequest(db: DbClient, requestId: string, userId: string | null): Promise<CancelOutcome> {
  const { rows } = await db.query<{ status: string; accepted: boolean }>(
    `WITH target AS (
       SELECT id, status FROM content_requests WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)
     ), marked AS (
       UPDATE content_requests r SET cancel_requested_at = COALESCE(r.cancel_requested_at, now()), updated_at = now()
         FROM target t WHERE r.id = t.id AND r.status NOT IN ${FINAL_REQUEST}
       RETURNING r.id
     )
     SELECT t.status, EXISTS (SELECT 1 FROM marked) AS accepted FROM target t`,
    [requestId, userId],
  );
  const row = rows[0];
  if (!row) return { kind: 'not_found' };
  return row.accepted ? { kind: 'accepted' } : { kind: 'final', status: row.status };
}
