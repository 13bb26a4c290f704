import { STAGES } from '@pressroom/contracts';
import type { DbClient } from '../db/pool.ts';
import { sqlRows } from '../db/sql-literals.ts';
import { OUTBOX_INSERT, outboxColumns, outboxValues, type OutboxRow } from '../outbox/outbox-repository.ts';
import { IDEMPOTENCY_KEY_TTL } from './idempotency-repository.ts';
import { REQUEST_COLUMNS, type RequestRow } from './request-repository.ts';

// The three stage rows, in pipeline order, of every request the statement's `request` CTE inserted.
const STAGES_OF_REQUESTS = `INSERT INTO request_stages (request_id, stage, position)
    SELECT r.id, s.stage, s.position FROM request r CROSS JOIN (VALUES ${sqlRows(STAGES.map((stage, i) => [stage, i + 1]))}) AS s (stage, position)`;

/** The user's daily quota: their override, else DAILY_REQUEST_QUOTA (the parameters holding the user id and the default). */
const userQuota = (user: string, fallback: string) => `SELECT COALESCE((SELECT daily_quota FROM users WHERE id = ${user}), ${fallback}::int) AS daily_quota`;

export interface Submission {
  request: Pick<RequestRow, 'id' | 'user_id' | 'topic' | 'audience' | 'tone' | 'length' | 'channel' | 'trace_id'>;
  task: Omit<OutboxRow, 'id' | 'request_id'>;
  /** DAILY_REQUEST_QUOTA, for users without an override. */
  defaultQuota: number;
  /** The quota day (UTC), `YYYY-MM-DD`. */
  day: string;
  /** DAILY_SPEND_BUDGET_USD; undefined: no spend budget. */
  spendBudgetUsd?: number | undefined;
  idempotency?: { key: string; bodyHash: string } | undefined;
}

export type SubmissionResult =
  | { kind: 'created'; request: RequestRow; quota: { limit: number; used: number } }
  | { kind: 'replayed'; request: RequestRow; bodyHash: string }
  | { kind: 'quota_exceeded'; dailyQuota: number }
  | { kind: 'spend_budget_exceeded'; budgetUsd: number; spentUsd: number };

const C_COLUMNS = REQUEST_COLUMNS.split(', ')
  .map((c) => `c.${c}`)
  .join(', ');

/**
 * The whole submission in one statement, so in autocommit one round trip and one commit:
 * - `prior`: a live Idempotency-Key of this user; when there is one, nothing below happens and its request is
 *   returned (the caller compares body hashes: a different body is a 409).
 * - `usage`: the quota counter of the day, incremented only while below the quota and while the day's LLM spend
 *   (which the tracker adds to the same row) is below the spend budget, if there is one ($17). ON CONFLICT DO
 *   UPDATE re-checks both on the latest committed row, so concurrent submits never go one over, and the row
 *   lock lasts only until this statement commits (no lock held across round trips). A refused submit reads the
 *   day's spend (`spent_today`, evaluated only then) to say which limit refused it.
 * - the request, its three stages and its first task in the outbox, only if a slot was taken;
 * - `claim`: the key, by a plain INSERT. The primary key arbitrates a race between two submits with the same
 *   key: the loser's statement fails as a whole (no request, no quota spent) and is run again, which then sees
 *   the winner's key in `prior`.
 */
export const SUBMIT_SQL = `WITH quota AS (
    ${userQuota('$2', '$13')}
  ), prior AS (
    SELECT body_hash, request_id FROM idempotency_keys
     WHERE $15::text IS NOT NULL AND user_id = $2 AND key = $15 AND created_at > now() - interval '${IDEMPOTENCY_KEY_TTL}'
  ), usage AS (
    INSERT INTO daily_usage AS u (user_id, day, used)
    SELECT $2, $14::date, 1 FROM quota WHERE daily_quota > 0 AND ($17::numeric IS NULL OR $17::numeric > 0) AND NOT EXISTS (SELECT FROM prior)
    ON CONFLICT (user_id, day) DO UPDATE SET used = u.used + 1
      WHERE u.used < (SELECT daily_quota FROM quota) AND ($17::numeric IS NULL OR u.spent_usd < $17::numeric)
    RETURNING used
  ), request AS (
    INSERT INTO content_requests (id, user_id, topic, audience, tone, length, channel, trace_id)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM usage
    RETURNING ${REQUEST_COLUMNS}
  ), stages AS (
    ${STAGES_OF_REQUESTS}
  ), task AS (
    ${OUTBOX_INSERT} SELECT id, $9, $10, $11, $12 FROM request
  ), claim AS (
    INSERT INTO idempotency_keys (user_id, key, body_hash, request_id) SELECT $2, $15, $16, id FROM request WHERE $15::text IS NOT NULL
  )
  SELECT q.daily_quota, (SELECT used FROM usage) AS used_today,
         CASE WHEN $17::numeric IS NOT NULL AND x.id IS NULL THEN COALESCE((SELECT spent_usd FROM daily_usage WHERE user_id = $2 AND day = $14::date), 0)::float8 END AS spent_today,
         x.* FROM quota q LEFT JOIN (
    SELECT NULL::text AS prior_body_hash, ${REQUEST_COLUMNS} FROM request
    UNION ALL
    SELECT p.body_hash, ${C_COLUMNS} FROM prior p JOIN content_requests c ON c.id = p.request_id
  ) x ON true`;

export function submitParams(s: Submission): unknown[] {
  const r = s.request;
  return [
    r.id,
    r.user_id,
    r.topic,
    r.audience,
    r.tone,
    r.length,
    JSON.stringify(r.channel),
    r.trace_id,
    ...outboxValues(s.task),
    s.defaultQuota,
    s.day,
    s.idempotency?.key ?? null,
    s.idempotency?.bodyHash ?? null,
    s.spendBudgetUsd ?? null,
  ];
}

/** Always one row: the request's columns are null when the quota refused it. */
interface SubmitRow extends Omit<RequestRow, 'id'> {
  id: string | null;
  daily_quota: number;
  /** The day's count after this submit; null when it spent nothing (a replay, or the quota refused it). */
  used_today: number | null;
  /** The day's LLM spend, read only when a spend budget is set and the submit was refused. */
  spent_today: number | null;
  prior_body_hash: string | null;
}

export async function insertSubmission(db: DbClient, s: Submission): Promise<SubmissionResult> {
  // Named (prepared once per connection): parsing and planning this statement cost PostgreSQL more than running
  // it (0.9 ms of backend CPU per submit unnamed, 0.3 ms named). Its generic plan is primary-key lookups and
  // inserts whatever the tables' sizes, so a plan kept for the connection's life cannot go stale.
  const { rows } = await db.query<SubmitRow>({ name: 'submit-request', text: SUBMIT_SQL, values: submitParams(s) });
  const { daily_quota: dailyQuota, used_today: usedToday, spent_today: spentToday, prior_body_hash: priorHash, ...request } = rows[0]!;
  if (request.id === null) {
    const budget = s.spendBudgetUsd;
    // With both reached the spend budget is named (both reset together); a quota of 0 is the quota's refusal.
    if (budget !== undefined && spentToday !== null && spentToday >= budget && dailyQuota > 0)
      return { kind: 'spend_budget_exceeded', budgetUsd: budget, spentUsd: spentToday };
    return { kind: 'quota_exceeded', dailyQuota };
  }
  const found = request as RequestRow;
  return priorHash === null
    ? { kind: 'created', request: found, quota: { limit: dailyQuota, used: usedToday ?? 0 } }
    : { kind: 'replayed', request: found, bodyHash: priorHash };
}

/**
 * Several submissions of one user and day without an Idempotency-Key, in one statement: one counter update and one
 * commit for all of them. The quota takes them all or none (`used + n` must stay within the quota, under the spend
 * budget as in SUBMIT_SQL); when it cannot, nothing is written and the caller submits them one by one, which is
 * exact at the boundary. The requests come back in input order (`ord`).
 */
export const SUBMIT_BATCH_SQL = `WITH quota AS (
    ${userQuota('$1', '$2')}
  ), usage AS (
    INSERT INTO daily_usage AS u (user_id, day, used)
    SELECT $1, $3::date, $4::int FROM quota WHERE $4::int <= daily_quota AND ($5::numeric IS NULL OR $5::numeric > 0)
    ON CONFLICT (user_id, day) DO UPDATE SET used = u.used + $4::int
      WHERE u.used + $4::int <= (SELECT daily_quota FROM quota) AND ($5::numeric IS NULL OR u.spent_usd < $5::numeric)
    RETURNING used
  ), input AS (
    SELECT * FROM unnest($6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::jsonb[])
      WITH ORDINALITY AS i (id, topic, audience, tone, length, channel, trace_id, exchange_key, routing_key, message, headers, ord)
     WHERE EXISTS (SELECT FROM usage)
  ), request AS (
    INSERT INTO content_requests (id, user_id, topic, audience, tone, length, channel, trace_id)
    SELECT id, $1, topic, audience, tone, length, channel, trace_id FROM input
    RETURNING ${REQUEST_COLUMNS}
  ), stages AS (
    ${STAGES_OF_REQUESTS}
  ), task AS (
    ${OUTBOX_INSERT} SELECT id, exchange_key, routing_key, message, headers FROM input
  )
  SELECT q.daily_quota, (SELECT used FROM usage) AS used_today, r.* FROM quota q
    LEFT JOIN request r ON true LEFT JOIN input i ON i.id = r.id ORDER BY i.ord`;

export function submitBatchParams(batch: Submission[]): unknown[] {
  const first = batch[0]!;
  const column = <T>(f: (s: Submission) => T) => batch.map(f);
  return [
    first.request.user_id,
    first.defaultQuota,
    first.day,
    batch.length,
    first.spendBudgetUsd ?? null,
    column((s) => s.request.id),
    column((s) => s.request.topic),
    column((s) => s.request.audience),
    column((s) => s.request.tone),
    column((s) => s.request.length),
    column((s) => JSON.stringify(s.request.channel)),
    column((s) => s.request.trace_id),
    ...outboxColumns(batch.map((s) => s.task)),
  ];
}

/**
 * The batch's results in input order, each with the day's count after it; undefined when the quota (or the spend
 * budget) could not take the whole batch and nothing was written.
 */
export async function insertSubmissionBatch(db: DbClient, batch: Submission[]): Promise<SubmissionResult[] | undefined> {
  const { rows } = await db.query<Omit<SubmitRow, 'prior_body_hash' | 'spent_today'>>({
    name: 'submit-request-batch',
    text: SUBMIT_BATCH_SQL,
    values: submitBatchParams(batch),
  });
  if (rows.length !== batch.length || rows.some((r) => r.id === null)) return undefined;
  const usedAfter = rows[0]!.used_today ?? 0;
  return rows.map((row, i) => {
    const { daily_quota: limit, used_today: _, ...request } = row;
    return { kind: 'created', request: request as RequestRow, quota: { limit, used: usedAfter - (rows.length - 1 - i) } };
  });
}

/** The unique violation that tells a submit it lost the race for its Idempotency-Key (or met an expired one). */
export function isIdempotencyKeyTaken(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === 'idempotency_keys_pkey';
}
