// Process entry: config first, tracing second, then everything that tracing must patch (amqplib, ioredis, got).
import { enableCompileCache, flushCompileCache } from 'node:module';
import { exitIfConfigCheck, loadConfigOrExit } from '@pressroom/config';

// Compiled, type-stripped modules are kept on disk (os.tmpdir()/node-compile-cache): a restart costs a fraction
// of the first start's CPU. Without a writable cache folder this does nothing.
enableCompileCache();
const config = loadConfigOrExit('research');
const { startTracing } = await import('@pressroom/telemetry');
const tracing = startTracing({
  serviceName: config.OTEL_SERVICE_NAME ?? 'research',
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  trustedTraceSources: config.TRUSTED_TRACE_SOURCES,
});
const { runWorker, startOrExit } = await import('@pressroom/runtime');
const { createResearchHandler, RESEARCH_ALERTING } = await import('./research-handler.ts');
await exitIfConfigCheck('research', tracing);

await startOrExit('research', (signal) =>
  runWorker({
    service: 'research',
    stage: 'research',
    config,
    port: config.RESEARCH_PORT,
    portSetting: 'RESEARCH_PORT',
    createHandler: createResearchHandler,
    alerting: RESEARCH_ALERTING,
    onClose: tracing.shutdown,
    signal,
  }),
);
flushCompileCache();
