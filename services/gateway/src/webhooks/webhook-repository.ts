import type { WebhookEventType } from '@pressroom/contracts';
import type { DbClient } from '../db/pool.ts';

export interface EndpointRow {
  id: string;
  user_id: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  secret_version: number;
  previous_secret_until: string | null;
  consecutive_failures: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_type: WebhookEventType | 'webhook.test';
  request_id: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
}

const E_COLUMNS =
  'id, user_id, url, events, enabled, secret_version, previous_secret_until, consecutive_failures, disabled_reason, disabled_at, created_at, updated_at';
const D_COLUMNS =
  'id, endpoint_id, event_type, request_id, status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, delivered_at, created_at';

export async function insertEndpoint(db: DbClient, e: { id: string; user_id: string; url: string; events: string[] }): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(`INSERT INTO webhook_endpoints (id, user_id, url, events) VALUES ($1, $2, $3, $4) RETURNING ${E_COLUMNS}`, [
    e.id,
    e.user_id,
    e.url,
    e.events,
  ]);
  return rows[0]!;
}

export async function countEndpoints(db: DbClient, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_endpoints WHERE user_id = $1', [userId]);
  return rows[0]?.n ?? 0;
}

export async function listEndpoints(db: DbClient, userId: string): Promise<EndpointRow[]> {
  const { rows } = await db.query<EndpointRow>(`SELECT ${E_COLUMNS} FROM webhook_endpoints WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, [userId]);
  return rows;
}

export async function findEndpoint(db: DbClient, id: string, userId: string): Promise<EndpointRow | undefined> {
  const { rows } = await db.query<EndpointRow>(`SELECT ${E_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND user_id = $2`, [id, userId]);
  return rows[0];
}

/** Only the fields present change; enabling clears the failure count and the reason it was disabled. */
export async function updateEndpoint(
  db: DbClient,
  id: string,
  userId: string,
  p: { url?: string | undefined; events?: string[] | undefined; enabled?: boolean | undefined },
) {
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET
        url = COALESCE($3, url),
        events = COALESCE($4, events),
        enabled = COALESCE($5, enabled),
        consecutive_failures = CASE WHEN $5 THEN 0 ELSE consecutive_failures END,
        failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END,
        last_failed_at = CASE WHEN $5 THEN NULL ELSE last_failed_at END,
        disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END,
        disabled_at = CASE WHEN $5 THEN NULL ELSE disabled_at END,
        updated_at = now()
      WHERE id = $1 AND user_id = $2 RETURNING ${E_COLUMNS}`,
    [id, userId, p.url ?? null, p.events ?? null, p.enabled ?? null],
  );
  return rows[0];
}

export async function deleteEndpoint(db: DbClient, id: string, userId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM webhook_endpoints WHERE id = $1 AND user_id = $2', [id, userId]);
  return (rowCount ?? 0) > 0;
}

export async function rotateEndpointSecret(db: DbClient, id: string, userId: string, overlapS: number): Promise<EndpointRow | undefined> {
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET secret_version = secret_version + 1,
        previous_secret_until = CASE WHEN $3::int > 0 THEN now() + make_interval(secs => $3) END, updated_at = now()
      WHERE id = $1 AND user_id = $2 RETURNING ${E_COLUMNS}`,
    [id, userId, overlapS],
  );
  return rows[0];
}

export async function insertTestDelivery(db: DbClient, endpointId: string): Promise<DeliveryRow> {
  const { rows } = await db.query<DeliveryRow>(`INSERT INTO webhook_deliveries (endpoint_id, event_type) VALUES ($1, 'webhook.test') RETURNING ${D_COLUMNS}`, [
    endpointId,
  ]);
  return rows[0]!;
}

export async function listDeliveries(
  db: DbClient,
  f: { endpointId: string; status?: string | undefined; before?: { created_at: string; id: string } | undefined; limit: number },
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${D_COLUMNS} FROM webhook_deliveries
      WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [f.endpointId, f.status ?? null, f.before?.created_at ?? null, f.before?.id ?? null, f.limit],
  );
  return rows;
}
