import express, { type Express } from 'express';
import { AppError } from '@pressroom/contracts';
import { adminRoutes } from './admin/admin-routes.ts';
import { spendRoutes } from './admin/spend-routes.ts';
import { authRoutes } from './auth/auth-routes.ts';
import type { GatewayDeps } from './deps.ts';
import { consoleRoutes } from './http/console.ts';
import { answerOptions, refuseOtherMethods } from './http/allowed-methods.ts';
import { corsPolicy } from './http/cors.ts';
import { createGuards } from './http/guards.ts';
import { errorHandler } from './http/problem.ts';
import { httpObservability } from './http/http-metrics.ts';
import { jsonBody } from './http/json-body.ts';
import { normalizePath } from './http/normalize-path.ts';
import { openApiDocument } from './http/openapi.ts';
import { createRateLimits, type GatewayBudgets } from './http/rate-limits.ts';
import { httpRequestId } from './http/http-request-id.ts';
import { securityHeaders } from './http/security-headers.ts';
import { requestRoutes } from './requests/request-routes.ts';
import { streamRoutes } from './streams/stream-routes.ts';
import { apiKeyRoutes } from './api-keys/api-key-routes.ts';
import { webhookRoutes } from './webhooks/webhook-routes.ts';

/**
 * Builds the HTTP app from its dependencies; `main.ts` listens, tests call this directly. The order is the
 * security model: headers and path normalisation for everything (the operations endpoints are on their own port, see gateway.ts); then
 * CORS, the per-IP limit, the stricter auth limit, body parsing, and the routes, each behind its guards
 * (authentication, then the per-user limit, then the admin role).
 */
export function createApp(deps: GatewayDeps, opts: { budgets?: GatewayBudgets } = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Hop count only: a client-forged X-Forwarded-For entry beyond the trusted proxies is never the client IP.
  app.set('trust proxy', deps.config.TRUST_PROXY_HOPS);
  app.set('query parser', 'simple');
  // Set before the first app.use (the router is created then): /V1/Requests/ routes like /v1/requests.
  app.set('case sensitive routing', false);
  app.set('strict routing', false);
  app.use(normalizePath());
  app.use(securityHeaders());
  app.use(httpRequestId());
  app.use(httpObservability({ metrics: deps.metrics, logger: deps.logger, alerts: deps.alerts, slowMs: deps.config.ALERT_HTTP_LATENCY_MS }));
  // Before the spec: a browser tool on an allowed origin (Swagger UI) reads /openapi.json too.
  app.use(corsPolicy(deps.config.CORS_ORIGINS));
  const spec = openApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  app.use(consoleRoutes());
  const limits = createRateLimits(deps, opts.budgets);
  app.use(limits.ip);
  app.use(answerOptions());
  app.use('/v1/auth', limits.auth);
  app.use(jsonBody(deps.config.BODY_LIMIT_BYTES));
  const guards = createGuards(deps, limits);
  app.use(authRoutes(deps, guards));
  // Before requestRoutes, whose /v1/requests guards would otherwise charge event streams to the hourly budgets.
  app.use(streamRoutes(deps, guards));
  app.use(requestRoutes(deps, guards));
  app.use(webhookRoutes(deps, guards));
  app.use(apiKeyRoutes(deps, guards));
  app.use(spendRoutes(deps, guards));
  app.use(adminRoutes(deps, guards));
  app.use(refuseOtherMethods());
  app.use(() => {
    throw new AppError('not_found', 'no such route');
  });
  app.use(errorHandler(deps.logger));
  return app;
}
