import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import type { RequestOptions } from 'node:http';
import { contextSpanProcessor } from './context-span-processor.ts';
import { redactingExporter } from './redacting-exporter.ts';
import { tagFromHeaders } from './span-tags.ts';
import { detachUntrustedTraceContext, linkUntrustedParent, traceContextOnly, trustedSources } from './trace-trust.ts';
import { redactPathAndQuery } from '@pressroom/logger';

const OPS_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

/** The route pattern express leaves on a matched request (`baseUrl` + `route.path`). */
function routeOf(request: object): string | undefined {
  const r = request as { baseUrl?: string; route?: { path?: unknown } };
  return typeof r.route?.path === 'string' ? `${r.baseUrl ?? ''}${r.route.path}` : undefined;
}

/** `url.full` of a client span from got's request options, reduced to what may be recorded (url-redaction.ts). */
function outgoingUrl(options: RequestOptions): string {
  const protocol = options.protocol ?? 'http:';
  const port = options.port && String(options.port) !== (protocol === 'https:' ? '443' : '80') ? `:${options.port}` : '';
  return `${protocol}//${options.hostname ?? options.host ?? 'localhost'}${port}${redactPathAndQuery(options.path ?? '/')}`;
}

/** `url.path` and `url.query` of a server span: ids and tokens in the path masked (http.route names it), query values dropped. */
function incomingUrl(url: string | undefined): Record<string, string> {
  const target = redactPathAndQuery(url ?? '/');
  const q = target.indexOf('?');
  return q === -1 ? { 'url.path': target } : { 'url.path': target.slice(0, q), 'url.query': target.slice(q + 1) };
}

export interface TracingOptions {
  serviceName: string;
  /** OTLP HTTP base URL (e.g. http://jaeger:4318); without it spans are still created, so trace ids exist, but not exported. */
  endpoint?: string | undefined;
  /** TRUSTED_TRACE_SOURCES: peers (comma-separated addresses or CIDR ranges) whose incoming traceparent is continued; any other starts a new trace linked to it. */
  trustedTraceSources?: string | undefined;
}

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Must run before amqplib, pg, ioredis and express are imported: instrumentations patch modules as they load,
 * which is why every `main.ts` starts tracing first and imports its app afterwards.
 */
export function startTracing({ serviceName, endpoint, trustedTraceSources }: TracingOptions): Tracing {
  const exporter = endpoint ? redactingExporter(new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces`, timeoutMillis: 2000 })) : undefined;
  const isTrusted = trustedSources(trustedTraceSources);
  const sdk = new NodeSDK({
    serviceName,
    textMapPropagator: traceContextOnly,
    // Without a collector spans are still recorded (so trace ids reach logs and the API), just not exported.
    // The batch processor drops spans when its queue is full and exports off the hot path: a collector that is
    // down costs nothing but the lost spans.
    spanProcessors: [
      contextSpanProcessor,
      exporter
        ? new BatchSpanProcessor({ exporter, scheduledDelayMillis: Number(process.env['OTEL_BSP_SCHEDULE_DELAY'] ?? 2000), exportTimeoutMillis: 5000 })
        : new NoopSpanProcessor(),
    ],
    // Metrics are Prometheus-scraped and logs go to stdout; without these, the SDK would also start OTLP
    // log and metric exporters whose flush on shutdown waits for a collector that may not exist.
    logRecordProcessors: [],
    metricReaders: [],
    // Only the two libraries whose spans tell a request's story: HTTP (the API call and every outbound call
    // through got) and amqplib (each broker hop). Express, pg and ioredis spans would add one span per
    // middleware layer or query; the spans that explain latency there (the submit transaction, the session
    // check) are made by hand. Loading the whole auto-instrumentation bundle cost seconds of CPU at start.
    instrumentations: [
      new HttpInstrumentation({
        // Scrapes, probes and the span exporter's own uploads would each start a useless trace.
        ignoreIncomingRequestHook: (req) => OPS_PATHS.test(req.url ?? ''),
        ignoreOutgoingRequestHook: (req) => /\/v1\/traces$/.test(String(req.path ?? '')),
        // Attributes returned here replace the instrumentation's own (url.full with the query, the raw path).
        startOutgoingSpanHook: (options) => ({ 'url.full': outgoingUrl(options) }),
        startIncomingSpanHook: (request) => {
          detachUntrustedTraceContext(request, isTrusted);
          return incomingUrl(request.url);
        },
        requestHook: (span, request) => linkUntrustedParent(span, request),
        // Without the express instrumentation (a span per middleware layer), the server span is named here,
        // once the router has matched: `GET /v1/requests/:id`, never the raw path.
        applyCustomAttributesOnSpan: (span, request) => {
          const route = routeOf(request);
          if (!route) return;
          span.setAttribute('http.route', route);
          span.updateName(`${(request as { method?: string }).method ?? 'HTTP'} ${route}`);
        },
      }),
      // The broker spans start before any handler code runs, so the ids come from the message headers.
      new AmqplibInstrumentation({
        publishHook: (span, info) => tagFromHeaders(span, info.options?.headers),
        consumeHook: (span, info) => tagFromHeaders(span, info.msg.properties.headers),
      }),
    ],
  });
  sdk.start();
  return {
    // Bounded: an unreachable collector must not hold up a graceful shutdown.
    shutdown: () => Promise.race([sdk.shutdown().catch(() => undefined), new Promise<void>((r) => setTimeout(r, 3000).unref())]),
  };
}
