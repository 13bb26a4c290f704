import { AppError } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { rateLimitStoreErrors } from '../http/extra-metrics.ts';

const WINDOW_S = 3600;

export interface SessionBudget {
  /** Counts one refresh, logout or password change against the session family; 429 once it is spent. */
  spend(familyId: string): Promise<void>;
}

/**
 * Refresh, logout and password change act on a session the caller already holds, so they are limited per
 * session family (RATE_LIMIT_AUTH_PER_HOUR each, fixed hourly window), not from the per-IP sign-in bucket:
 * clients behind one NAT no longer starve each other's sessions. Redis down: the call goes through (counted
 * and logged), as with every other limiter.
 */
export function createSessionBudget(deps: Pick<GatewayDeps, 'redis' | 'config' | 'logger' | 'metrics'>): SessionBudget {
  const limit = deps.config.RATE_LIMIT_AUTH_PER_HOUR;
  const storeErrors = rateLimitStoreErrors(deps.metrics.registry);
  return {
    async spend(familyId) {
      const key = `rl:session:${familyId}`;
      let used: number;
      let ttl: number;
      try {
        const results = (await deps.redis.multi().incr(key).expire(key, WINDOW_S, 'NX').ttl(key).exec()) ?? [];
        const failed = results.find(([err]) => err);
        if (failed) throw failed[0];
        used = Number(results[0]?.[1]);
        ttl = Number(results[2]?.[1]);
      } catch (err) {
        storeErrors.inc({ limiter: 'session' });
        deps.logger.warn({ err, limiter: 'session' }, 'session budget unavailable; call not counted');
        return;
      }
      if (used <= limit) return;
      deps.metrics.rateLimited.inc({ limiter: 'session' });
      throw new AppError('rate_limited', `too many session calls (session limit of ${limit} per hour)`, {
        headers: { 'Retry-After': String(Math.max(1, ttl)) },
      });
    },
  };
}
