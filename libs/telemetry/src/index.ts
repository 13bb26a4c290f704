export { createMetrics, type Metrics } from './metrics.ts';
export { startTracing, type Tracing, type TracingOptions } from './tracing.ts';
export { injectTraceHeaders, extractTraceContext, continueStoredTrace, currentTraceId, traceIdFromHeaders } from './trace-context.ts';
export { REQUEST_ID_HEADER, USER_ID_HEADER, tagContentRequest } from './span-tags.ts';
export { withSpan } from './with-span.ts';
export { inBackground } from './background.ts';
