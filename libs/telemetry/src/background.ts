import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { withoutLogContext } from '@pressroom/logger';

/**
 * Runs `fn` outside the caller's trace and log context. Node carries the async context into every promise,
 * timer and callback started inside a call, so a background loop that a request wakes (the outbox relay, the
 * webhook delivery loop) would otherwise run, and go on re-arming its timers, as part of that request: its spans
 * in the caller's trace, its log lines and spans tagged with the caller's `user_id` and `http_request_id`.
 */
export function inBackground<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, () => withoutLogContext(fn));
}
