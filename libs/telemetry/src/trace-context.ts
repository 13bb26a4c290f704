import { ROOT_CONTEXT, context, isSpanContextValid, propagation, trace, type Attributes, type Context } from '@opentelemetry/api';

const tracer = trace.getTracer('pressroom');

/** W3C trace context of the active span, as headers to carry across a broker hop or an outbox row. */
export function injectTraceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function extractTraceContext(headers: Record<string, unknown> | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (typeof v === 'string') carrier[k] = v;
  return propagation.extract(context.active(), carrier);
}

export function currentTraceId(): string | null {
  const span = trace.getActiveSpan();
  const id = span?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : null;
}

export function traceIdFromHeaders(headers: Record<string, string>): string | null {
  const match = /^[\da-f]{2}-([\da-f]{32})-/.exec(headers['traceparent'] ?? '');
  return match?.[1] ?? null;
}

/**
 * Records `name` as a span of the trace that `stored` carries (the context a message had when it was put aside),
 * linked to the active span (the call that took it up again), and returns the headers that continue that trace
 * from the new span: the message's next hop joins its request's trace, not the caller's. Without a usable context
 * in `stored` (none was kept, or tracing was off), the active context's headers, as `injectTraceHeaders`.
 */
export function continueStoredTrace(name: string, stored: Record<string, string> | null, attributes: Attributes): Record<string, string> {
  const parent = stored ? propagation.extract(ROOT_CONTEXT, stored) : ROOT_CONTEXT;
  if (!trace.getSpanContext(parent)) return injectTraceHeaders();
  const caller = trace.getActiveSpan()?.spanContext();
  const links = caller && isSpanContextValid(caller) ? [{ context: caller }] : [];
  const span = tracer.startSpan(name, { attributes, links }, parent);
  span.end();
  return injectTraceHeaders(trace.setSpan(parent, span));
}
