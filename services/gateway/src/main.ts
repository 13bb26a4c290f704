// Process entry: config first, tracing second, then everything that tracing must patch (express, pg, amqplib, ioredis).
import { enableCompileCache, flushCompileCache } from 'node:module';
import { exitIfConfigCheck, loadConfigOrExit } from '@pressroom/config';

// Compiled, type-stripped modules are kept on disk (os.tmpdir()/node-compile-cache): a restart costs a fraction
// of the first start's CPU. Without a writable cache folder this does nothing.
enableCompileCache();
const config = loadConfigOrExit('gateway');
const { startTracing } = await import('@pressroom/telemetry');
// These load nothing tracing patches: the refusal fast path's calls get no server span (refusal-fast-path.ts).
const { createRefusals } = await import('./http/refusal-routes.ts');
const { createSpentKeys } = await import('./http/counted-budget.ts');
const { createTokenPrecheck, tokenSettingsFrom } = await import('./auth/access-tokens.ts');
const refusals = createRefusals({ precheck: createTokenPrecheck(tokenSettingsFrom(config)), spentUsers: createSpentKeys() });
const tracing = startTracing({
  serviceName: config.OTEL_SERVICE_NAME ?? 'gateway',
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  trustedTraceSources: config.TRUSTED_TRACE_SOURCES,
  ignoreIncomingRequest: (req) => refusals.classify(req) !== undefined,
});
const { startOrExit } = await import('@pressroom/runtime');
const { startGateway } = await import('./gateway.ts');
await exitIfConfigCheck('gateway', tracing);

await startOrExit('gateway', (signal) => startGateway(config, { onClose: tracing.shutdown, signal, refusals }));
flushCompileCache();
