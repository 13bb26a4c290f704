import type { Redis } from 'ioredis';
import type { Logger } from '@pressroom/logger';
import type { Metrics } from '@pressroom/telemetry';

/**
 * A read-through JSON cache with an expiry. Redis being down is a miss, never an error: the cache only
 * ever makes things faster. Identical keys in flight in this process share one computation.
 */
export function createJsonCache<T>(deps: { redis: Redis; name: string; ttlSeconds: number; logger: Logger; metrics: Metrics }) {
  const { redis, name, ttlSeconds, logger, metrics } = deps;
  const inFlight = new Map<string, Promise<T>>();
  const key = (k: string) => `cache:${name}:${k}`;

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
      await redis.set(key(k), JSON.stringify(value), 'EX', ttlSeconds);
    } catch (err) {
      logger.debug({ err, cache: name }, 'cache write failed');
    }
  }

  return {
    get,
    set,
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
