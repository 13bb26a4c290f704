import { createHash } from 'node:crypto';
import type { Store } from 'express-rate-limit';
import type { Redis } from '@pressroom/cache';

export interface BudgetHit {
  totalHits: number;
  resetTime: Date;
}

/**
 * The per-IP budget (the `ip` limiter), shared by express-rate-limit and the refusal fast path so both see
 * one count. The Redis keys and window are rate-limit-redis's (`rl:ip:<client>`, a plain counter with a
 * PEXPIRE set on first hit), so counts from older replicas still add up.
 *
 * What makes a flood cheap: hits for one key that arrive while that key's Redis call is in flight wait and go
 * together in the next one (INCRBY n), and the calls for every key of one event-loop turn share a pipeline.
 * A hit still answers from Redis's total including itself, so the limit is exact and shared across replicas
 * at once; under load one round trip serves many calls. Once Redis says a key is spent, it is refused here,
 * without Redis, until its window resets (the counter only grows until then).
 *
 * Redis down: the hits of a failed round trip reject (the caller fails open, as express-rate-limit's
 * `passOnStoreError` does), and `onError` counts each.
 */
export interface IpBudget {
  readonly limit: number;
  readonly windowMs: number;
  /** Counts one call; answers at once (no promise) when the key is known to be spent. */
  hit(key: string): BudgetHit | Promise<BudgetHit>;
  /** express-rate-limit's draft-8 partition key (`pk`) for a key, memoised for spent keys. */
  partitionKey(key: string): string;
  /** An express-rate-limit store over this budget (one per limiter: the library refuses a shared store). */
  store(): Store;
}

const REDIS_PREFIX = 'rl:ip:';
// Spent keys remembered at most (each until its window resets); beyond it they are asked of Redis again.
const MAX_SPENT_KEYS = 100_000;

interface Waiter {
  resolve: (hit: BudgetHit) => void;
  reject: (err: unknown) => void;
}
interface KeyState {
  waiting: Waiter[];
  inFlight: boolean;
}

export function createIpBudget(deps: { redis: Redis; limit: number; windowMs: number; onError: (err: unknown) => void }): IpBudget {
  const { redis, limit, windowMs } = deps;
  const pending = new Map<string, KeyState>();
  const spent = new Map<string, { until: number; pk: string }>();
  let scheduled = false;

  const partitionKey = (key: string) => spent.get(key)?.pk ?? Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush() {
    scheduled = false;
    const batch: [string, KeyState, Waiter[]][] = [];
    const pipeline = redis.pipeline();
    for (const [key, st] of pending) {
      if (st.inFlight || st.waiting.length === 0) continue;
      const waiters = st.waiting;
      st.waiting = [];
      st.inFlight = true;
      batch.push([key, st, waiters]);
      pipeline.incrby(REDIS_PREFIX + key, waiters.length).pexpire(REDIS_PREFIX + key, windowMs, 'NX').pttl(REDIS_PREFIX + key);
    }
    if (batch.length === 0) return;
    pipeline.exec().then(
      (results) => batch.forEach(([key, st, waiters], i) => settle(key, st, waiters, results?.slice(i * 3, i * 3 + 3))),
      (err: unknown) => batch.forEach(([key, st, waiters]) => settle(key, st, waiters, [[err, null]])),
    );
  }

  function settle(key: string, st: KeyState, waiters: Waiter[], replies: [unknown, unknown][] | undefined) {
    st.inFlight = false;
    const failed = replies?.find(([err]) => err)?.[0] ?? (replies?.length === 3 ? undefined : new Error('no reply from Redis'));
    if (failed) {
      for (const w of waiters) {
        deps.onError(failed);
        w.reject(failed);
      }
    } else {
      const total = Number(replies?.[0]?.[1]);
      const ttl = Number(replies?.[2]?.[1]);
      const resetAt = Date.now() + (ttl > 0 ? ttl : windowMs);
      const resetTime = new Date(resetAt);
      waiters.forEach((w, i) => w.resolve({ totalHits: total - waiters.length + 1 + i, resetTime }));
      if (total >= limit && spent.size < MAX_SPENT_KEYS) spent.set(key, { until: resetAt, pk: partitionKey(key) });
    }
    if (st.waiting.length > 0) schedule();
    else pending.delete(key);
  }

  function hit(key: string): BudgetHit | Promise<BudgetHit> {
    const known = spent.get(key);
    if (known) {
      if (known.until > Date.now()) return { totalHits: limit + 1, resetTime: new Date(known.until) };
      spent.delete(key);
    }
    return new Promise((resolve, reject) => {
      let st = pending.get(key);
      if (!st) pending.set(key, (st = { waiting: [], inFlight: false }));
      st.waiting.push({ resolve, reject });
      if (!st.inFlight) schedule();
    });
  }

  return {
    limit,
    windowMs,
    hit,
    partitionKey,
    store: () => ({
      prefix: REDIS_PREFIX,
      localKeys: false,
      increment: async (key) => hit(key),
      // express-rate-limit calls these only with skipFailedRequests/skipSuccessfulRequests or resetKey(), unused here.
      decrement: async (key) => void (await redis.decr(REDIS_PREFIX + key)),
      resetKey: async (key) => {
        spent.delete(key);
        await redis.del(REDIS_PREFIX + key);
      },
      get: async (key) => {
        const [total, ttl] = await Promise.all([redis.get(REDIS_PREFIX + key), redis.pttl(REDIS_PREFIX + key)]);
        return total === null ? undefined : { totalHits: Number(total), resetTime: new Date(Date.now() + Math.max(ttl, 0)) };
      },
    }),
  };
}
