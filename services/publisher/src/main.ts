// Process entry: config first, tracing second, then everything that tracing must patch (amqplib, ioredis, got).
import { enableCompileCache, flushCompileCache } from 'node:module';
import { exitIfConfigCheck, loadConfigOrExit } from '@pressroom/config';

// Compiled, type-stripped modules are kept on disk (os.tmpdir()/node-compile-cache): a restart costs a fraction
// of the first start's CPU. Without a writable cache folder this does nothing.
enableCompileCache();
const config = loadConfigOrExit('publisher');
const { startTracing } = await import('@pressroom/telemetry');
const tracing = startTracing({
  serviceName: config.OTEL_SERVICE_NAME ?? 'publisher',
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  trustedTraceSources: config.TRUSTED_TRACE_SOURCES,
});
const { runWorker, startOrExit } = await import('@pressroom/runtime');
const { createPublishHandler, PUBLISH_ALERTING } = await import('./publish-handler.ts');
await exitIfConfigCheck('publisher', tracing);

await startOrExit('publisher', (signal) =>
  runWorker({
    service: 'publisher',
    stage: 'publish',
    config,
    port: config.PUBLISHER_PORT,
    portSetting: 'PUBLISHER_PORT',
    createHandler: createPublishHandler,
    alerting: PUBLISH_ALERTING,
    onClose: tracing.shutdown,
    signal,
  }),
);
flushCompileCache();
