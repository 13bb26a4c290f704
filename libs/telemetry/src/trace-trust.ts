import { BlockList, isIP } from 'node:net';
import { TraceFlags, createTraceState, isSpanContextValid, trace, type Context, type Span, type SpanContext, type TextMapPropagator } from '@opentelemetry/api';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const TRACEPARENT_FORMAT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-|$)/;

function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT_FORMAT.exec(value.trim());
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5])) return undefined;
  const ctx: SpanContext = { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(ctx) ? ctx : undefined;
}

/**
 * W3C trace context (traceparent and tracestate) only: no baggage propagator, so baggage is neither taken
 * from a caller nor forwarded to anyone (a search API, a webhook receiver) whatever OTEL_PROPAGATORS says.
 */
export const traceContextOnly: TextMapPropagator = {
  inject(ctx, carrier, setter) {
    const sc = trace.getSpanContext(ctx);
    if (!sc || !isSpanContextValid(sc)) return;
    setter.set(carrier, TRACEPARENT, `00-${sc.traceId}-${sc.spanId}-0${Number(sc.traceFlags || 0) & TraceFlags.SAMPLED}`);
    const state = sc.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE, state);
  },
  extract(ctx: Context, carrier, getter) {
    const raw = getter.get(carrier, TRACEPARENT);
    const sc = parseTraceparent(Array.isArray(raw) ? raw[0] : raw);
    if (!sc) return ctx;
    const state = getter.get(carrier, TRACESTATE);
    const joined = Array.isArray(state) ? state.join(',') : state;
    return trace.setSpanContext(ctx, joined ? { ...sc, traceState: createTraceState(joined) } : sc);
  },
  fields: () => [TRACEPARENT, TRACESTATE],
};

/** TRUSTED_TRACE_SOURCES: addresses and CIDR ranges (the load balancer, the ingress) whose trace context is continued. */
export function trustedSources(list: string | undefined): (address: string | undefined) => boolean {
  const entries = (list ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return () => false;
  const allowed = new BlockList();
  for (const entry of entries) {
    const [net, bits] = entry.split('/');
    const family = isIP(net ?? '');
    if (family === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits)))
      throw new Error(`TRUSTED_TRACE_SOURCES entry "${entry}" is not an address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) allowed.addAddress(net!, type);
    else allowed.addSubnet(net!, Number(bits), type);
  }
  return (address) => {
    if (!address) return false;
    const mapped = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(mapped);
    return family !== 0 && allowed.check(mapped, family === 4 ? 'ipv4' : 'ipv6');
  };
}

const UNTRUSTED_PARENT = Symbol.for('pressroom.untrustedParent');

interface IncomingLike {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string | undefined };
}

/**
 * Runs before the HTTP instrumentation extracts the caller's context (startIncomingSpanHook): a trace
 * context from a peer that is not a trusted source is taken out of the headers, so the server span starts a
 * trace of its own, and kept to be linked from that span (linkUntrustedParent), so the caller's trace can
 * still be found. A client cannot choose the stored trace_id or join someone else's trace.
 */
export function detachUntrustedTraceContext(request: IncomingLike, isTrusted: (address: string | undefined) => boolean): void {
  const { headers } = request;
  if (headers[TRACEPARENT] === undefined && headers[TRACESTATE] === undefined && headers['baggage'] === undefined) return;
  delete headers['baggage'];
  if (isTrusted(request.socket?.remoteAddress)) return;
  const parent = parseTraceparent(headers[TRACEPARENT]);
  delete headers[TRACEPARENT];
  delete headers[TRACESTATE];
  if (parent) (request as { [UNTRUSTED_PARENT]?: SpanContext })[UNTRUSTED_PARENT] = parent;
}

export function linkUntrustedParent(span: Span, request: object): void {
  const parent = (request as { [UNTRUSTED_PARENT]?: SpanContext })[UNTRUSTED_PARENT];
  if (parent) span.addLink({ context: parent, attributes: { 'pressroom.link': 'untrusted_traceparent' } });
}
