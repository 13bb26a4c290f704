import type { RequestHandler } from 'express';
import type { Metrics } from '@pressroom/telemetry';

/** Labels by the matched route pattern (`/v1/requests/:id`), never the raw path, so label values stay bounded. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? 'unmatched' : req.path;
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
