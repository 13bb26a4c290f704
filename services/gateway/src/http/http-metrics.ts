import { context } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { currentLogContext, withLogContext, type Logger } from '@pressroom/logger';
import type { Metrics } from '@pressroom/telemetry';
import type { Alerts } from '../alerts/alerts.ts';

const OPS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Per call: the duration histogram (labelled by route pattern such as `/v1/requests/:id`, never the raw path,
 * so label values stay bounded), one access-log line, and a high-latency alert past the threshold when one is set
 * (unset where Prometheus runs: its rules own latency).
 */
export function httpObservability(deps: { metrics: Metrics; logger: Logger; alerts: Alerts; slowMs: number | undefined }): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const record = () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? 'unmatched' : 'unrouted';
      const durationMs = performance.now() - started;
      // A call the client left before any answer was sent got none: 499 (nginx's "client closed request"), not
      // the 200 a response starts with, which would count it as a success.
      const status = res.headersSent ? res.statusCode : 499;
      deps.metrics.httpDuration.observe({ method: req.method, route, status: String(status) }, durationMs / 1000);
      const line = {
        method: req.method,
        route,
        status,
        duration_ms: Math.round(durationMs),
        ...(res.writableFinished ? {} : { client_closed: true }),
      };
      // Probes and scrapes arrive every few seconds: they are logged only at debug.
      if (OPS.has(route)) deps.logger.debug(line, 'http request');
      else deps.logger.info(line, 'http request');
      // An event stream is open for as long as its request runs: long by design, not slow.
      const streaming = String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
      const slowMs = deps.slowMs;
      if (slowMs !== undefined && durationMs > slowMs && !OPS.has(route) && !streaming)
        deps.alerts.raiseAlert({ kind: 'slow_http', route, method: req.method, duration_ms: Math.round(durationMs), threshold_ms: slowMs });
    };
    // Recorded on 'finish', inside the call's context (emitted by the handler's res.end). A response the client
    // walked away from (an event stream it closed, a call it left) never finishes: recorded on 'close' instead,
    // which the socket emits from no context, so the call's is put back for the line to name its call, user and
    // request (the log context object, which authentication and the handler fill in later, and the trace).
    res.once('finish', record);
    const logContext = currentLogContext();
    const traceContext = context.active();
    res.once('close', () => {
      if (!res.writableFinished) context.with(traceContext, () => withLogContext(logContext, record));
    });
    next();
  };
}
