import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { AppError } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import { createOpsRouter } from '@pressroom/runtime';
import { errorHandler } from './problem.ts';

/**
 * What the gateway's port answers while start-up waits for PostgreSQL, Redis and RabbitMQ: alive
 * (`/healthz` 200), not ready (`/readyz` 503), and every API call a 503 problem the client may retry.
 */
export function createStartingApp(registry: Registry, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    createOpsRouter(registry, {
      startup: () => {
        throw new Error('starting');
      },
    }),
  );
  app.use(() => {
    throw new AppError('unavailable', 'the gateway is starting; retry shortly', { headers: { 'Retry-After': '5' } });
  });
  app.use(errorHandler(logger));
  return app;
}
