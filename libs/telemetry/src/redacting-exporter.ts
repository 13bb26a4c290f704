import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace';
import { redactText } from '@pressroom/logger';

const TEXT_ATTRIBUTES = ['exception.message', 'exception.stacktrace'];

function redactEvent(event: TimedEvent): TimedEvent {
  const attributes = event.attributes;
  if (!attributes || !TEXT_ATTRIBUTES.some((k) => typeof attributes[k] === 'string')) return event;
  const copy = { ...attributes };
  for (const key of TEXT_ATTRIBUTES) if (typeof copy[key] === 'string') copy[key] = redactText(copy[key]);
  return { ...event, attributes: copy };
}

/**
 * Exception messages and error statuses recorded on spans are free text that may hold a URL with a key in
 * it, or a `token=` pair; they are redacted on their way out. Only spans with events or an error message are
 * touched (a few), and the export runs in the batch processor, off the request path. URL attributes are
 * reduced where the HTTP spans are made (see tracing.ts), so nothing else needs looking at here.
 */
export function redactingExporter(inner: SpanExporter): SpanExporter {
  const redactSpan = (span: ReadableSpan): ReadableSpan => {
    if (span.events.length === 0 && !span.status.message) return span;
    // The copy delegates to the span itself (spanContext() and the rest) and overrides only the free text.
    return Object.create(span, {
      events: { value: span.events.map(redactEvent) },
      status: { value: span.status.message ? { ...span.status, message: redactText(span.status.message) } : span.status },
    }) as ReadableSpan;
  };
  return {
    export: (spans, done) => inner.export(spans.map(redactSpan), done),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
