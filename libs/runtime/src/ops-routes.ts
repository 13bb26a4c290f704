import express, { type Router } from 'express';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void> | void;

type Readiness = { ready: boolean; degraded: boolean; checks: Record<string, 'ok' | 'failed'> };

/** Readiness answers are reused this long: a probe storm costs one round of dependency checks per second. */
const READINESS_TTL_MS = 1000;

/**
 * `/healthz` says the process is alive (no I/O); `/readyz` asks every dependency and names those that fail,
 * never their error text (it may hold an address or a credential hint; `onCheckFailed` gets the error for the
 * logs); `/metrics` is the registry. A check named in `degraded` is one the service keeps serving without: its
 * failure is named (status `degraded`) but the answer stays 200, so the service is not taken out of rotation.
 */
export function createOpsRouter(
  registry: Registry,
  checks: Record<string, ReadinessCheck>,
  opts: { onCheckFailed?: (name: string, err: unknown) => void; degraded?: readonly string[] } = {},
): Router {
  const degradable = new Set(opts.degraded ?? []);
  const router = express.Router();
  let cached: { at: number; result: Promise<Readiness> } | undefined;
  const evaluate = async (): Promise<Readiness> => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(Promise.resolve(check()), 2000);
          return [name, 'ok'] as const;
        } catch (err) {
          opts.onCheckFailed?.(name, err);
          return [name, 'failed'] as const;
        }
      }),
    );
    return {
      ready: results.every(([name, r]) => r === 'ok' || degradable.has(name)),
      degraded: results.some(([, r]) => r === 'failed'),
      checks: Object.fromEntries(results),
    };
  };
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const now = Date.now();
    // The promise is cached, so concurrent probes share one round of checks.
    if (!cached || now - cached.at >= READINESS_TTL_MS) cached = { at: now, result: evaluate() };
    const { ready, degraded, checks: named } = await cached.result;
    res.status(ready ? 200 : 503).json({ status: ready ? (degraded ? 'degraded' : 'ready') : 'unavailable', checks: named });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
