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
 * Submissions without an Idempotency-Key, of any users and days, in one statement: one commit for all of them.
 * Each user's share is taken whole or not at all: `wanted` counts it per user and day, and the counter row takes
 * `used + n` only while that stays within the user's quota (and under the spend budget, as in SUBMIT_SQL); a share
 * the quota cannot take whole writes nothing, and the caller submits those one by one, which is exact at the
 * boundary. The counter rows are taken in (user, day) order, as the tracker's spend update takes them, so two
 * such statements (two replicas) wait for each other rather than deadlock. Rows come back in input order (`ord`),
 * each with the day's count after it (`used_today`); a refused share's rows are missing.
 */
export const SUBMIT_BATCH_SQL = `WITH input AS (
    SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::date[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::jsonb[], $15::jsonb[])
      WITH ORDINALITY AS i (id, user_id, day, topic, audience, tone, length, channel, trace_id, exchange_key, routing_key, message, headers, ord)
  ), wanted AS (
    SELECT w.user_id, w.day, w.n, COALESCE(u.daily_quota, $1::int) AS daily_quota
      FROM (SELECT user_id, day, count(*)::int AS n FROM input GROUP BY user_id, day) w LEFT JOIN users u ON u.id = w.user_id
  ), usage AS (
    INSERT INTO daily_usage AS d (user_id, day, used)
    SELECT user_id, day, n FROM wanted WHERE n <= daily_quota AND ($2::numeric IS NULL OR $2::numeric > 0) ORDER BY user_id, day
    ON CONFLICT (user_id, day) DO UPDATE SET used = d.used + EXCLUDED.used
      WHERE d.used + EXCLUDED.used <= (${userQuota('d.user_id', '$1')})
        AND ($2::numeric IS NULL OR d.spent_usd < $2::numeric)
    RETURNING user_id, day, used
  ), accepted AS (
    SELECT i.*, w.daily_quota, u.used - w.n + row_number() OVER (PARTITION BY i.user_id, i.day ORDER BY i.ord) AS used_today
      FROM input i JOIN usage u USING (user_id, day) JOIN wanted w USING (user_id, day)
  ), request AS (
    INSERT INTO content_requests (id, user_id, topic, audience, tone, length, channel, trace_id)
    SELECT id, user_id, topic, audience, tone, length, channel, trace_id FROM accepted
    RETURNING ${REQUEST_COLUMNS}
  ), stages AS (
    ${STAGES_OF_REQUESTS}
  ), task AS (
    ${OUTBOX_INSERT} SELECT id, exchange_key, routing_key, message, headers FROM accepted
  )
  SELECT a.ord::int, a.daily_quota, a.used_today::int, r.* FROM accepted a JOIN request r ON r.id = a.id ORDER BY a.ord`;

/** What submissions must share to go in one SUBMIT_BATCH_SQL: the settings it takes once. */
export const batchKey = (s: Submission): string => `${s.defaultQuota}/${s.spendBudgetUsd ?? ''}`;

export function submitBatchParams(batch: Submission[]): unknown[] {
  const first = batch[0]!;
  const column = <T>(f: (s: Submission) => T) => batch.map(f);
  return [
    first.defaultQuota,
    first.spendBudgetUsd ?? null,
    column((s) => s.request.id),
    column((s) => s.request.user_id),
    column((s) => s.day),
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
 * The batch's results in input order (all sharing one `batchKey`); undefined for each submission whose user's share
 * the quota (or the spend budget) could not take whole, which nothing was written for.
 */
export async function insertSubmissionBatch(db: DbClient, batch: Submission[]): Promise<Array<SubmissionResult | undefined>> {
  const { rows } = await db.query<RequestRow & { ord: number; daily_quota: number; used_today: number }>({
    name: 'submit-request-batch',
    text: SUBMIT_BATCH_SQL,
    values: submitBatchParams(batch),
  });
  const results: Array<SubmissionResult | undefined> = batch.map(() => undefined);
  for (const { ord, daily_quota: limit, used_today: used, ...request } of rows) results[ord - 1] = { kind: 'created', request, quota: { limit, used } };
  return results;
}

/** The unique violation that tells a submit it lost the race for its Idempotency-Key (or met an expired one). */
export function isIdempotencyKeyTaken(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === 'idempotency_keys_pkey';
}

/**
 * The request a live Idempotency-Key already stands for, with the body hash it was first sent with. Read before a
 * keyed submit is checked at all, so that a retry is answered with the first request even when the checks would now
 * refuse it (the pipeline behind, the webhook endpoint disabled); SUBMIT_SQL still settles a race for the key.
 */
export async function findKeyedSubmission(db: DbClient, userId: string, key: string): Promise<{ request: RequestRow; bodyHash: string } | undefined> {
  const { rows } = await db.query<RequestRow & { prior_body_hash: string }>(
    `SELECT k.body_hash AS prior_body_hash, ${C_COLUMNS} FROM idempotency_keys k JOIN content_requests c ON c.id = k.request_id
      WHERE k.user_id = $1 AND k.key = $2 AND k.created_at > now() - interval '${IDEMPOTENCY_KEY_TTL}'`,
    [userId, key],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { prior_body_hash: bodyHash, ...request } = row;
  return { request, bodyHash };
}
