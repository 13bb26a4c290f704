import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { detachUntrustedTraceContext, traceContextOnly, trustedSources } from '../src/trace-trust.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const incoming = (remoteAddress: string) => ({
  headers: { traceparent: TRACEPARENT, tracestate: 'vendor=x', baggage: 'user=alice' } as Record<string, string | undefined>,
  socket: { remoteAddress },
});

describe('trace context from the internet (TRUSTED_TRACE_SOURCES)', () => {
  it('when the peer is not a trusted source, then traceparent, tracestate and baggage are taken out before the span starts', () => {
    const req = incoming('203.0.113.9');
    detachUntrustedTraceContext(req, trustedSources(''));
    assert.deepEqual(req.headers, {});
  });

  it('when the peer is a configured proxy (address or CIDR, IPv4-mapped too), then its traceparent is continued and only baggage is dropped', () => {
    const isTrusted = trustedSources('10.0.0.0/8, 192.0.2.7');
    for (const address of ['10.1.2.3', '::ffff:10.1.2.3', '192.0.2.7']) {
      const req = incoming(address);
      detachUntrustedTraceContext(req, isTrusted);
      assert.deepEqual(req.headers, { traceparent: TRACEPARENT, tracestate: 'vendor=x' }, address);
    }
    assert.equal(isTrusted('192.0.2.8'), false);
    assert.throws(() => trustedSources('not-an-address'), /TRUSTED_TRACE_SOURCES entry "not-an-address"/);
  });

  it('when context is propagated, then only traceparent and tracestate are read and written, never baggage', () => {
    const ctx = traceContextOnly.extract(ROOT_CONTEXT, { traceparent: TRACEPARENT, tracestate: 'vendor=x', baggage: 'user=alice' }, defaultTextMapGetter);
    assert.equal(trace.getSpanContext(ctx)?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    const carrier: Record<string, string> = {};
    traceContextOnly.inject(ctx, carrier, defaultTextMapSetter);
    assert.deepEqual(carrier, { traceparent: TRACEPARENT, tracestate: 'vendor=x' });
    assert.equal(
      trace.getSpanContext(
        traceContextOnly.extract(ROOT_CONTEXT, { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }, defaultTextMapGetter),
      ),
      undefined,
    );
  });
});
