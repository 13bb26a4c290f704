import type { Request } from 'express';
import type { Logger } from '@pressroom/logger';

/** Where a security-relevant call came from: the client address (after TRUST_PROXY_HOPS) and its X-Request-Id. */
export interface ClientContext {
  ip: string | null;
  httpRequestId: string | null;
}

export type SecurityEvent =
  | 'auth.login_succeeded'
  | 'auth.login_failed'
  | 'auth.login_throttled'
  | 'auth.refresh_reused'
  | 'auth.logout'
  | 'auth.password_changed'
  | 'auth.session_revoked'
  | 'api_key.revoked'
  | 'admin.user_updated'
  | 'admin.dead_letters_replayed'
  | 'admin.api_key_revoked';

export function clientOf(req: Request): ClientContext {
  const id = req.res?.locals['httpRequestId'];
  return { ip: req.ip ?? null, httpRequestId: typeof id === 'string' ? id : null };
}

/**
 * One structured line per security event, always at info (a failed login is an event, not a gateway warning):
 * `event`, `user_id` (null when no account matched), `client_ip`, `http_request_id`, plus ids that say what
 * was touched. Never an email address, a password or a token.
 */
export function logSecurityEvent(
  logger: Logger,
  event: SecurityEvent,
  who: ClientContext & { userId: string | null },
  extra: Record<string, unknown> = {},
): void {
  logger.info({ event, user_id: who.userId, client_ip: who.ip, http_request_id: who.httpRequestId, ...extra }, 'security event');
}
