import type { Span } from '@opentelemetry/api';

/** Message header carrying the content request's id, so broker spans can be tagged before any handler runs. */
export const REQUEST_ID_HEADER = 'x-pressroom-request-id';
export const USER_ID_HEADER = 'x-pressroom-user-id';

/** Where the HTTP instrumentation leaves the server span on the incoming request object. */
export const SERVER_SPAN = Symbol.for('pressroom.serverSpan');

export function tagFromHeaders(span: Span, headers: Record<string, unknown> | undefined): void {
  const requestId = headers?.[REQUEST_ID_HEADER];
  const userId = headers?.[USER_ID_HEADER];
  if (typeof requestId === 'string') span.setAttribute('request_id', requestId);
  if (typeof userId === 'string') span.setAttribute('user_id', userId);
}

/** Tags the HTTP server span of `request` (when tracing is on) once the handler learns which content request it serves. */
export function tagServerSpan(request: object, attributes: Record<string, string>): void {
  const span = (request as { [SERVER_SPAN]?: Span })[SERVER_SPAN];
  span?.setAttributes(attributes);
}
