import { trace, type Span } from '@opentelemetry/api';
import { addLogContext } from '@pressroom/logger';

/** Message header carrying the content request's id, so broker spans can be tagged before any handler runs. */
export const REQUEST_ID_HEADER = 'x-pressroom-request-id';
export const USER_ID_HEADER = 'x-pressroom-user-id';

export function tagFromHeaders(span: Span, headers: Record<string, unknown> | undefined): void {
  const requestId = headers?.[REQUEST_ID_HEADER];
  const userId = headers?.[USER_ID_HEADER];
  if (typeof requestId === 'string') span.setAttribute('request_id', requestId);
  if (typeof userId === 'string') span.setAttribute('user_id', userId);
}

/**
 * The content request a call serves, once it is known (a submission's new id, or the request an idempotent replay
 * returns; a read's id): on the call's log context, so every later log line and every span the span processor
 * tags carries it, and on the span now active (the HTTP server span in a route handler).
 */
export function tagContentRequest(requestId: string): void {
  addLogContext({ request_id: requestId });
  trace.getActiveSpan()?.setAttribute('request_id', requestId);
}
