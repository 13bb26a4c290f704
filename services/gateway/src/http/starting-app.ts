import express, { type Express } from 'express';
import { AppError } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import { httpRequestId } from './http-request-id.ts';
import { errorHandler } from './problem.ts';
import { securityHeaders } from './security-headers.ts';

/**
 * What the gateway's API port answers while start-up waits for PostgreSQL, Redis and RabbitMQ: every call a
 * 503 problem the client may retry, with the headers every answer carries (X-Request-Id, the security headers).
 * The operations port says alive and not ready meanwhile.
 */
export function createStartingApp(logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.use(httpRequestId());
  app.use(() => {
    throw new AppError('unavailable', 'the gateway is starting; retry shortly', { headers: { 'Retry-After': '5' } });
  });
  app.use(errorHandler(logger));
  return app;
}
