import type { DbClient } from '../db/pool.ts';

/** The endpoints with pending deliveries, one index probe each (a skip scan of migration 016's index). */
const WAITING_ENDPOINTS = `waiting AS (
       (SELECT endpoint_id FROM webhook_deliveries WHERE status = 'pending' ORDER BY endpoint_id LIMIT 1)
       UNION ALL
       SELECT (SELECT d.endpoint_id FROM webhook_deliveries d WHERE d.status = 'pending' AND d.endpoint_id > w.endpoint_id
                ORDER BY d.endpoint_id LIMIT 1)
         FROM waiting w WHERE w.endpoint_id IS NOT NULL
     )`;

export interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  /** The endpoint's owner. */
  user_id: string;
  event_type: string;
  request_id: string | null;
  attempts: number;
  created_at: string;
  /** What the trigger saw when the request became terminal (migration 014); null on older rows. */
  event: { status: string; error: unknown; published_url: string | null; at: string } | null;
  url: string;
  secret_version: number;
  previous_secret_until: string | null;
}

export const CLAIM_DUE_SQL = `WITH RECURSIVE ${WAITING_ENDPOINTS}, ready AS (
       SELECT first.id, first.next_attempt_at
         FROM waiting w JOIN webhook_endpoints e ON e.id = w.endpoint_id
        CROSS JOIN LATERAL (
          SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
           WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= now()
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                              WHERE p.request_id = d.request_id AND p.endpoint_id = d.endpoint_id AND p.status = 'pending'
                                AND (p.created_at, p.id) < (d.created_at, d.id))
           ORDER BY d.next_attempt_at LIMIT 1
        ) first
        WHERE e.enabled AND NOT (e.id = ANY ($3::uuid[]))
     ), due AS (
       SELECT d.id FROM webhook_deliveries d JOIN ready r ON r.id = d.id
        WHERE d.status = 'pending' AND d.next_attempt_at <= now()
        ORDER BY r.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
       FROM due, webhook_endpoints e
      WHERE d.id = due.id AND e.id = d.endpoint_id
      RETURNING d.id, d.endpoint_id, e.user_id, d.event_type, d.request_id, d.attempts, d.created_at, d.event, e.url, e.secret_version, e.previous_secret_until`;

/**
 * Claims due deliveries by pushing their next attempt out by a lease (longer than one attempt can take), so
 * the HTTP call happens with no row lock held and no other replica picks the same rows meanwhile; a replica
 * that dies mid-attempt leaves them to be retried when the lease runs out.
 *
 * Fair and ordered: at most one delivery per endpoint per claim, none for the endpoints this replica is already
 * calling (`busy`), so a slow or backlogged endpoint holds one slot, not the replica; and a request's later event
 * waits while an earlier one to the same endpoint is pending (a reopened request's `request.failed` retry is
 * sent before its `request.published`).
 */
export async function claimDueDeliveries(db: DbClient, limit: number, leaseMs: number, busy: readonly string[] = []): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedDelivery>(CLAIM_DUE_SQL, [limit, leaseMs, busy]);
  return rows;
}

// Due as the claim sees it: a callback held back behind an earlier one of its request (waiting out a backoff) is not late.
export const DELIVERY_LAG_SQL = `WITH RECURSIVE ${WAITING_ENDPOINTS}
     SELECT extract(epoch FROM now() - min(first.next_attempt_at))::float8 AS lag_s, count(*)::int AS endpoints_due
       FROM waiting w JOIN webhook_endpoints e ON e.id = w.endpoint_id AND e.enabled
      CROSS JOIN LATERAL (
        SELECT d.next_attempt_at FROM webhook_deliveries d
         WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= now()
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                            WHERE p.request_id = d.request_id AND p.endpoint_id = d.endpoint_id AND p.status = 'pending'
                              AND (p.created_at, p.id) < (d.created_at, d.id))
         ORDER BY d.next_attempt_at LIMIT 1
      ) first`;

/**
 * How far behind the delivery loops are: the age of the most overdue delivery of an enabled endpoint (each
 * endpoint's earliest pending one, as the claim sees it) and how many enabled endpoints have one due. Costs one
 * probe per endpoint with pending deliveries, like a claim, whatever the backlog.
 */
export async function readDeliveryLag(db: DbClient): Promise<{ lagS: number; endpointsDue: number }> {
  const { rows } = await db.query<{ lag_s: number | null; endpoints_due: number }>(DELIVERY_LAG_SQL);
  return { lagS: Math.max(0, rows[0]?.lag_s ?? 0), endpointsDue: rows[0]?.endpoints_due ?? 0 };
}

export interface RequestOutcome {
  id: string;
  status: string;
  topic: string;
  title: string | null;
  published_url: string | null;
  error: unknown;
  created_at: string;
  updated_at: string;
}

export async function loadRequestOutcomes(db: DbClient, ids: string[]): Promise<Map<string, RequestOutcome>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<RequestOutcome>(
    `SELECT r.id, r.status, r.topic, res.article->>'title' AS title, r.published_url, r.error, r.created_at, r.updated_at
       FROM content_requests r LEFT JOIN request_results res ON res.request_id = r.id WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Both writes of an attempt's result apply only while the delivery is as this replica claimed it (`attempts`): a
 * write held up past the lease, after another replica took the delivery over and recorded its own attempt, must
 * not put a delivered row back to pending or count a failure against the endpoint twice.
 */
export async function recordDelivered(db: DbClient, d: { id: string; endpointId: string; statusCode: number; attempts: number }): Promise<void> {
  await db.query(
    `WITH delivery AS (
       UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_attempt_at = now(), last_status_code = $3,
              last_error = NULL, delivered_at = now()
        WHERE id = $1 AND status = 'pending' AND attempts = $4
       RETURNING id
     )
     UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL, last_failed_at = NULL
      WHERE id = $2 AND (consecutive_failures <> 0 OR failing_since IS NOT NULL) AND EXISTS (SELECT 1 FROM delivery)`,
    [d.id, d.endpointId, d.statusCode, d.attempts],
  );
}

/**
 * One failed attempt: the delivery is retried at `retryAt`, or fails for good after `maxAttempts`; the
 * endpoint's run of failures grows, and once it is `disableAfter` long and has lasted `disableAfterS` since its
 * first failure the endpoint is disabled with the reason shown to its owner (GET /v1/webhooks/{id}). Returns
 * whether this attempt disabled it, and whether it was the delivery's last.
 */
export async function recordFailedAttempt(
  db: DbClient,
  d: {
    id: string;
    endpointId: string;
    statusCode: number | null;
    error: string;
    retryAt: Date;
    maxAttempts: number;
    disableAfter: number;
    disableAfterS: number;
    attempts: number;
  },
): Promise<{ disabled: boolean; failed: boolean }> {
  const { rows } = await db.query<{ disabled: boolean; failed: boolean }>(
    `WITH delivery AS (
       UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(), last_status_code = $3, last_error = $4,
              status = CASE WHEN attempts + 1 >= $6 THEN 'failed' ELSE 'pending' END, next_attempt_at = $5
        WHERE id = $1 AND status = 'pending' AND attempts = $8
       RETURNING id, status
     ), current AS (
       -- A failure after a quiet gap as long as the window begins a new run.
       SELECT id, failing_since IS NULL OR last_failed_at IS NULL OR ($9 > 0 AND last_failed_at < now() - make_interval(secs => $9)) AS fresh,
              consecutive_failures, failing_since
         FROM webhook_endpoints WHERE id = $2 AND EXISTS (SELECT 1 FROM delivery) FOR NO KEY UPDATE
     ), endpoint AS (
       SELECT id, failures, since, failures >= $7 AND since <= now() - make_interval(secs => $9) AS due
         FROM (SELECT id, CASE WHEN fresh THEN 1 ELSE consecutive_failures + 1 END AS failures,
                      CASE WHEN fresh THEN now() ELSE failing_since END AS since FROM current) c
     )
     UPDATE webhook_endpoints w SET consecutive_failures = endpoint.failures, failing_since = endpoint.since, last_failed_at = now(),
            enabled = CASE WHEN endpoint.due THEN false ELSE w.enabled END,
            disabled_at = CASE WHEN w.enabled AND endpoint.due THEN now() ELSE w.disabled_at END,
            disabled_reason = CASE WHEN w.enabled AND endpoint.due
              THEN left(format('disabled after %s failed delivery attempts in a row since %s; the last: %s', endpoint.failures,
                               to_char(endpoint.since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), $4), 500)
              ELSE w.disabled_reason END
       FROM endpoint
      WHERE w.id = endpoint.id
      RETURNING (NOT w.enabled AND w.disabled_at = now()) AS disabled, (SELECT status = 'failed' FROM delivery) AS failed`,
    [d.id, d.endpointId, d.statusCode, d.error.slice(0, 500), d.retryAt, d.maxAttempts, d.disableAfter, d.attempts, d.disableAfterS],
  );
  return { disabled: rows[0]?.disabled ?? false, failed: rows[0]?.failed ?? false };
}
