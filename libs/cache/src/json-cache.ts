import type { Redis } from 'ioredis';
import type { Logger } from '@pressroom/logger';
import type { Metrics } from '@pressroom/telemetry';

/** One computation in flight and the callers waiting on it; it is aborted when the last of them stops waiting. */
interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
  /** A caller has taken the computed value as its own (cached: false); the others get it as cached. */
  claimed: boolean;
}

/**
 * A read-through JSON cache with an expiry. Redis being down is a miss, never an error: the cache only
 * ever makes things faster. Identical keys in flight in this process share one computation.
 */
export function createJsonCache<T>(deps: { redis: Redis; name: string; ttlSeconds: number; logger: Logger; metrics: Metrics; staleTtlSeconds?: number }) {
  const { redis, name, ttlSeconds, logger, metrics } = deps;
  const staleTtl = deps.staleTtlSeconds ?? 0;
  const inFlight = new Map<string, Flight<T>>();
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

  function waitFor(k: string, flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters++;
    if (!signal) return flight.promise;
    const leave = () => {
      if (--flight.waiters > 0) return;
      // Nobody wants it any more: stop it, and let the next caller start afresh rather than join an aborted one.
      if (inFlight.get(k) === flight) inFlight.delete(k);
      flight.controller.abort(signal.reason);
    };
    if (signal.aborted) {
      leave();
      return Promise.reject(signal.reason as Error);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        leave();
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
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
    /**
     * The cached value, else `compute`'s, shared with every caller of the same key meanwhile (`cached` is false for
     * exactly one of them). A caller whose `signal` aborts stops waiting at once (rejecting with the signal's
     * reason); the computation's own signal aborts only when every caller has stopped waiting, so one cancelled
     * request never fails the others.
     */
    async getOrCompute(k: string, compute: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<{ value: T; cached: boolean }> {
      const hit = await get(k);
      if (hit !== undefined) return { value: hit, cached: true };
      let flight = inFlight.get(k);
      if (!flight) {
        const controller = new AbortController();
        const started: Flight<T> = { promise: compute(controller.signal), controller, waiters: 0, claimed: false };
        started.promise = started.promise.finally(() => {
          if (inFlight.get(k) === started) inFlight.delete(k);
        });
        started.promise.then((v) => set(k, v)).catch(() => undefined);
        inFlight.set(k, started);
        flight = started;
      }
      const value = await waitFor(k, flight, signal);
      // The first caller to get the value owns it (its cost is counted once): the one that started the computation,
      // or, if that one was cancelled meanwhile, the next in line.
      const cached = flight.claimed;
      flight.claimed = true;
      return { value, cached };
    },
  };
}

export type JsonCache<T> = ReturnType<typeof createJsonCache<T>>;
