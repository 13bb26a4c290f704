import express, { type Express } from 'express';
import { AppError } from '@pressroom/contracts';
import { createOpsRouter } from '@pressroom/runtime';
import { authRoutes } from './auth/auth-routes.ts';
import type { GatewayDeps } from './deps.ts';
import { errorHandler } from './http/problem.ts';
import { httpMetrics } from './http/http-metrics.ts';
import { jsonBody } from './http/json-body.ts';
import { requestContext } from './http/request-context.ts';
import { openApiDocument } from './http/openapi.ts';
import { requestRoutes } from './requests/request-routes.ts';

/** Builds the HTTP app from its dependencies; `main.ts` listens, tests call this directly. */
export function createApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.TRUST_PROXY_HOPS);
  app.set('query parser', 'simple');
  app.use(requestContext());
  app.use(httpMetrics(deps.metrics));
  app.use(
    createOpsRouter(deps.metrics.registry, {
      postgres: async () => {
        await deps.db.query('SELECT 1');
      },
      rabbitmq: () => {
        if (!deps.broker.isConnected()) throw new Error('not connected');
      },
      redis: async () => {
        await deps.redis.ping();
      },
    }),
  );
  const spec = openApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  app.use(jsonBody(deps.config.BODY_LIMIT_BYTES));
  app.use(authRoutes(deps));
  app.use(requestRoutes(deps));
  app.use(() => {
    throw new AppError('not_found', 'no such route');
  });
  app.use(errorHandler(deps.logger));
  return app;
}
