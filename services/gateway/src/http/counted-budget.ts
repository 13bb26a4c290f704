import { createHash } from 'node:crypto';
import type { Store } from 'express-rate-limit';
import type { Redis } from '@pressroom/cache';

export interface BudgetHit {
  totalHits: number;
  resetTime: Date;
}

/**
 * An hourly budget counted in Redis, shared by express-rate-limit and the refusal fast path so both see one
 * count: the per-IP budget (the `ip` limiter) and the user's submission budget (`user`). The Redis keys and
 * window are rate-limit-redis's (`rl:<name>:<key>`, a plain counter with a PEXPIRE set on first hit), so
 * counts from older replicas still add up.
 *
 * What makes a flood cheap: hits for one key that arrive while that key's Redis call is in flight wait and go
 * together in the next one (INCRBY n), and the calls for every key of one event-loop turn share a pipeline.
 * Round trips start at most one per MIN_FLUSH_GAP_MS (1 ms) per budget: a lone call goes at once, and a flood's
 * calls gather for up to 1 ms (a 401 flood at 27,000 calls/s: Redis commands 9,900 → 2,500/s, gateway CPU per call
 * about 6 % less). A hit still answers from Redis's total including itself, so the limit is exact and shared across
 * replicas at once; under load one round trip serves many calls. Once Redis says a key is spent, it is refused here,
 * without Redis, until its window resets (the counter only grows until then).
 *
 * Redis down: the hits of a failed round trip reject (the caller fails open, as express-rate-limit's
 * `passOnStoreError` does), and `onError` counts each.
 */
export interface Budget {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /** Counts one call; answers at once (no promise) when the key is known to be spent. */
  hit(key: string): BudgetHit | Promise<BudgetHit>;
  /** express-rate-limit's draft-8 partition key (`pk`) for a key, memoised for spent keys. */
  partitionKey(key: string): string;
  /** When the key's window resets, if this replica knows it is spent; asks nothing and counts nothing. */
  spentUntil(key: string): number | undefined;
  /** An express-rate-limit store over this budget (one per limiter: the library refuses a shared store). */
  store(): Store;
}

// Spent keys remembered at most (each until its window resets); beyond it they are asked of Redis again.
const MAX_SPENT_KEYS = 100_000;
const MIN_FLUSH_GAP_MS = 1;

/** Keys a budget has seen spent, each until its window resets. */
export interface SpentKeys {
  get(key: string): { until: number; pk: string } | undefined;
  set(key: string, value: { until: number; pk: string }): void;
  delete(key: string): void;
}

/**
 * The spent-key memory of a budget. Created apart from it when something must consult it besides the budget:
 * the refusal classifier (refusal-routes.ts) reads the user budget's to refuse a spent user before express.
 */
export function createSpentKeys(max = MAX_SPENT_KEYS): SpentKeys {
  const spent = new Map<string, { until: number; pk: string }>();
  return {
    get(key) {
      const known = spent.get(key);
      if (known && known.until <= Date.now()) {
        spent.delete(key);
        return undefined;
      }
      return known;
    },
    set: (key, value) => void (spent.size < max && spent.set(key, value)),
    delete: (key) => void spent.delete(key),
  };
}

interface Waiter {
  resolve: (hit: BudgetHit) => void;
  reject: (err: unknown) => void;
}
interface KeyState {
  waiting: Waiter[];
  inFlight: boolean;
}

export function createBudget(deps: {
  name: string;
  redis: Redis;
  limit: number;
  windowMs: number;
  onError: (err: unknown) => void;
  spent?: SpentKeys;
}): Budget {
  const { name, redis, limit, windowMs } = deps;
  const redisPrefix = `rl:${name}:`;
  const pending = new Map<string, KeyState>();
  const spent = deps.spent ?? createSpentKeys();
  let scheduled = false;

  const partitionKey = (key: string) => spent.get(key)?.pk ?? Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');

  let lastFlush = 0;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    const wait = lastFlush + MIN_FLUSH_GAP_MS - performance.now();
    if (wait > 0) setTimeout(flush, wait);
    else setImmediate(flush);
  }

  function flush() {
    scheduled = false;
    lastFlush = performance.now();
    const batch: [string, KeyState, Waiter[]][] = [];
    const pipeline = redis.pipeline();
    for (const [key, st] of pending) {
      if (st.inFlight || st.waiting.length === 0) continue;
      const waiters = st.waiting;
      st.waiting = [];
      st.inFlight = true;
      batch.push([key, st, waiters]);
      pipeline
        .incrby(redisPrefix + key, waiters.length)
        .pexpire(redisPrefix + key, windowMs, 'NX')
        .pttl(redisPrefix + key);
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
      if (total >= limit) spent.set(key, { until: resetAt, pk: partitionKey(key) });
    }
    if (st.waiting.length > 0) schedule();
    else pending.delete(key);
  }

  function hit(key: string): BudgetHit | Promise<BudgetHit> {
    const known = spent.get(key);
    if (known) return { totalHits: limit + 1, resetTime: new Date(known.until) };
    return new Promise((resolve, reject) => {
      let st = pending.get(key);
      if (!st) pending.set(key, (st = { waiting: [], inFlight: false }));
      st.waiting.push({ resolve, reject });
      if (!st.inFlight) schedule();
    });
  }

  return {
    name,
    limit,
    windowMs,
    hit,
    partitionKey,
    spentUntil: (key) => spent.get(key)?.until,
    store: () => ({
      prefix: redisPrefix,
      localKeys: false,
      increment: async (key) => hit(key),
      // express-rate-limit calls these only with skipFailedRequests/skipSuccessfulRequests or resetKey(), unused here.
      decrement: async (key) => void (await redis.decr(redisPrefix + key)),
      resetKey: async (key) => {
        spent.delete(key);
        await redis.del(redisPrefix + key);
      },
      get: async (key) => {
        const [total, ttl] = await Promise.all([redis.get(redisPrefix + key), redis.pttl(redisPrefix + key)]);
        return total === null ? undefined : { totalHits: Number(total), resetTime: new Date(Date.now() + Math.max(ttl, 0)) };
      },
    }),
  };
}
