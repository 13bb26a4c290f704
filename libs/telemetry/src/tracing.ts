import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';

export interface TracingOptions {
  serviceName: string;
  /** OTLP HTTP base URL (e.g. http://jaeger:4318); without it spans are still created, so trace ids exist, but not exported. */
  endpoint?: string | undefined;
}

const discardingProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Must run before amqplib, pg, ioredis and express are imported: instrumentations patch modules as they load,
 * which is why every `main.ts` starts tracing first and imports its app afterwards.
 */
export function startTracing({ serviceName, endpoint }: TracingOptions): Tracing {
  const exporter = endpoint ? new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces`, timeoutMillis: 2000 }) : undefined;
  const sdk = new NodeSDK({
    serviceName,
    // Without a collector spans are still recorded (so trace ids reach logs and the API), just not exported;
    // an empty processor list would make the SDK skip the tracer provider altogether.
    ...(exporter ? { traceExporter: exporter } : { spanProcessors: [discardingProcessor] }),
    // Metrics are Prometheus-scraped and logs go to stdout; without these, the SDK would also start OTLP
    // log and metric exporters whose flush on shutdown waits for a collector that may not exist.
    logRecordProcessors: [],
    metricReaders: [],
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
      }),
    ],
  });
  sdk.start();
  return {
    // Bounded: an unreachable collector must not hold up a graceful shutdown.
    shutdown: () => Promise.race([sdk.shutdown().catch(() => undefined), new Promise<void>((r) => setTimeout(r, 3000).unref())]),
  };
}
