import { createServer, type Server } from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import { listen } from './listen.ts';
import { createOpsRouter, type ReadinessCheck } from './ops-routes.ts';

/** The operations endpoints of a service (a worker, or the gateway beside its API port), on its own port; never rate limited, never authenticated. */
export async function startOpsServer(opts: {
  port: number;
  host?: string;
  setting: string;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  onCheckFailed?: (name: string, err: unknown) => void;
  /** Checks whose failure leaves the service serving (see createOpsRouter). */
  degraded?: readonly string[];
}): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    createOpsRouter(opts.registry, opts.checks, {
      ...(opts.onCheckFailed ? { onCheckFailed: opts.onCheckFailed } : {}),
      ...(opts.degraded ? { degraded: opts.degraded } : {}),
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ status: 404, code: 'not_found' });
  });
  const server = createServer(app);
  await listen(server, { port: opts.port, host: opts.host ?? '0.0.0.0', setting: opts.setting });
  return server;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
