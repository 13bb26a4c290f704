import type { Redis } from 'ioredis';
import type { Logger } from '@pressroom/logger';
import type { Metrics } from '@pressroom/telemetry';

/**
 * A read-through JSON cache with an expiry. Redis being down is a miss, never an error: the cache only
 * ever makes things faster. Identical keys in flight in this process share one computation.
 */
export function createJsonCache<T>(deps: { redis: Redis; name: string; ttlSeconds: number; logger: Logger; metrics: Metrics; staleTtlSeconds?: number }) {
  const { redis, name, ttlSeconds, logger, metrics } = deps;
  const staleTtl = deps.staleTtlSeconds ?? 0;
  const inFlight = new Map<string, Promise<T>>();
  const key = (k: string) => `cache:${name}:${k}`;
  // A second, longer-lived copy that is only read when the fresh path is unavailable (an open breaker).
  const staleKey = (k: string) => `cache-stale:${name}:${k}`;

  async function get(k: string): Promise<T | undefined> {
    try {
      const raw = await redis.get(key(k));
      metrics.cache.inc({ cache: name, result: raw === null ? 'miss' : 'hit' });
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch (err) {
      metrics.cache.inc({ cache: name, result: 'error' });
      logger.debug({ err, cache: name }, 'cache read failed; treating as a miss');
      return undefined;
    }
  }

  async function set(k: string, value: T): Promise<void> {
    if (ttlSeconds <= 0) return;
    try {
      const json = JSON.stringify(value);
      if (staleTtl > 0) await redis.multi().set(key(k), json, 'EX', ttlSeconds).set(staleKey(k), json, 'EX', staleTtl).exec();
      else await redis.set(key(k), json, 'EX', ttlSeconds);
    } catch (err) {
      logger.debug({ err, cache: name }, 'cache write failed');
    }
  }

  return {
    get,
    set,
    /** The last value stored under `k`, however old (within the stale TTL); for degraded operation only. */
    async getStale(k: string): Promise<T | undefined> {
      if (staleTtl <= 0) return undefined;
      try {
        const raw = await redis.get(staleKey(k));
        metrics.cache.inc({ cache: name, result: raw === null ? 'stale_miss' : 'stale_hit' });
        return raw === null ? undefined : (JSON.parse(raw) as T);
      } catch {
        return undefined;
      }
    },
    async getOrCompute(k: string, compute: () => Promise<T>): Promise<{ value: T; cached: boolean }> {
      const hit = await get(k);
      if (hit !== undefined) return { value: hit, cached: true };
      let pending = inFlight.get(k);
      const shared = pending !== undefined;
      if (!pending) {
        pending = compute().finally(() => inFlight.delete(k));
        inFlight.set(k, pending);
        pending.then((v) => set(k, v)).catch(() => undefined);
      }
      return { value: await pending, cached: shared };
    },
  };
}

export type JsonCache<T> = ReturnType<typeof createJsonCache<T>>;
