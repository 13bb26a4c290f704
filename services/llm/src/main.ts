// Process entry: config first, tracing second, then everything that tracing must patch (amqplib, ioredis, got).
import { enableCompileCache, flushCompileCache } from 'node:module';
import { exitIfConfigCheck, loadConfigOrExit } from '@pressroom/config';

// Compiled, type-stripped modules are kept on disk (os.tmpdir()/node-compile-cache): a restart costs a fraction
// of the first start's CPU. Without a writable cache folder this does nothing.
enableCompileCache();
const config = loadConfigOrExit('llm');
const { startTracing } = await import('@pressroom/telemetry');
const tracing = startTracing({
  serviceName: config.OTEL_SERVICE_NAME ?? 'llm',
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  trustedTraceSources: config.TRUSTED_TRACE_SOURCES,
});
const { runWorker, startOrExit } = await import('@pressroom/runtime');
const { createWriteHandler, WRITE_ALERTING } = await import('./write-handler.ts');
await exitIfConfigCheck('llm', tracing);

await startOrExit('llm', (signal) =>
  runWorker({
    service: 'llm',
    stage: 'write',
    config,
    port: config.LLM_PORT,
    portSetting: 'LLM_PORT',
    createHandler: createWriteHandler,
    alerting: WRITE_ALERTING,
    onClose: tracing.shutdown,
    signal,
  }),
);
flushCompileCache();
