// Process entry: config first, tracing second, then everything that tracing must patch (express, pg, amqplib, ioredis).
import { enableCompileCache, flushCompileCache } from 'node:module';
import { exitIfConfigCheck, loadConfigOrExit } from '@pressroom/config';

// Compiled, type-stripped modules are kept on disk (os.tmpdir()/node-compile-cache): a restart costs a fraction
// of the first start's CPU. Without a writable cache folder this does nothing.
enableCompileCache();
const config = loadConfigOrExit('gateway');
const { startTracing } = await import('@pressroom/telemetry');
const tracing = startTracing({
  serviceName: config.OTEL_SERVICE_NAME ?? 'gateway',
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  trustedTraceSources: config.TRUSTED_TRACE_SOURCES,
});
const { startOrExit } = await import('@pressroom/runtime');
const { startGateway } = await import('./gateway.ts');
await exitIfConfigCheck('gateway', tracing);

await startOrExit('gateway', (signal) => startGateway(config, { onClose: tracing.shutdown, signal }));
flushCompileCache();
