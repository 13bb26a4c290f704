import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { AdminAuditQuery, AuditEventView } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import type { DbClient } from '../db/pool.ts';
import { decodeCursor, toPage } from '../requests/cursor.ts';
import { logSecurityEvent, type ClientContext } from './security-events.ts';

type AuditEvent = Static<typeof AuditEventView>;

export interface AdminAction {
  event: AuditEvent['event'];
  actorId: string;
  target: string | null;
  details: AuditEvent['details'];
}

/**
 * An admin action is logged as a security event and recorded in `audit_events`. Pass the transaction that
 * makes the change, so the record commits with it or not at all.
 */
export async function recordAdminAction(db: DbClient, logger: Logger, who: ClientContext, action: AdminAction): Promise<void> {
  await db.query('INSERT INTO audit_events (id, event, actor_id, target, client_ip, request_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    randomUUID(),
    action.event,
    action.actorId,
    action.target,
    who.ip,
    who.httpRequestId,
    JSON.stringify(action.details),
  ]);
  logSecurityEvent(logger, action.event, { ...who, userId: action.actorId }, { target: action.target, details: action.details });
}

/** Newest first, cursor paged like the other admin lists. */
export async function listAuditEvents(db: DbClient, q: AdminAuditQuery) {
  const limit = q.limit ?? 20;
  const before = q.cursor ? decodeCursor(q.cursor) : undefined;
  const { rows } = await db.query<AuditEvent>(
    `SELECT id, event, actor_id, target, client_ip, request_id, details, created_at FROM audit_events
      WHERE ($1::text IS NULL OR event = $1) AND ($2::uuid IS NULL OR actor_id = $2)
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [q.event ?? null, q.actor_id ?? null, before?.created_at ?? null, before?.id ?? null, limit + 1],
  );
  return toPage(rows, limit, (r) => r);
}
