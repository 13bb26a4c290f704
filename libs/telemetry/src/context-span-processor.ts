import type { Context } from '@opentelemetry/api';
import { currentLogContext } from '@pressroom/logger';

interface StartedSpan {
  setAttribute(key: string, value: string): unknown;
}

/**
 * Copies the request's ids from the async context onto every span as it starts, including the spans that
 * auto-instrumentation creates for pg, ioredis, http and amqplib, so any span of a request can be found in
 * Jaeger by `request_id`.
 */
export const contextSpanProcessor = {
  onStart(span: StartedSpan, _parent: Context): void {
    const { request_id, user_id, stage } = currentLogContext();
    if (request_id) span.setAttribute('request_id', request_id);
    if (user_id) span.setAttribute('user_id', user_id);
    if (stage) span.setAttribute('pressroom.stage', stage);
  },
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
