import { context, propagation, trace, type Context } from '@opentelemetry/api';

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
