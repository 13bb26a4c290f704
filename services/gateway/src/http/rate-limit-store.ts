import type { Options, Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from '@pressroom/cache';

/**
 * rate-limit-redis over the gateway's ioredis client. Keys are `rl:<limiter>:<client>` here and ioredis adds
 * REDIS_KEY_PREFIX in front (it knows EVALSHA's key positions), so replicas sharing a prefix share buckets
 * and test runs with their own prefix never meet.
 *
 * The wrapper exists for one failure: RedisStore loads its Lua scripts once, at init. If Redis is down then,
 * the stored script promise stays rejected and the limiter would never count again after Redis returns. On
 * any store error a fresh RedisStore is made (re-loading the scripts), and the error is reported and rethrown
 * so express-rate-limit's `passOnStoreError` decides what the request sees.
 */
export function createRedisRateLimitStore(redis: Redis, limiter: string, onError: (err: unknown) => void): Store {
  const prefix = `rl:${limiter}:`;
  const make = () => new RedisStore({ prefix, sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply> });
  let inner = make();
  let options: Options | undefined;

  const renew = () => {
    inner = make();
    if (options) inner.init(options).catch(() => undefined);
  };
  const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      onError(err);
      renew();
      throw err;
    }
  };

  return {
    prefix,
    localKeys: false,
    async init(o: Options) {
      options = o;
      await inner.init(o).catch((err: unknown) => onError(err));
    },
    increment: (key) => guarded(() => inner.increment(key)),
    decrement: (key) => guarded(() => inner.decrement(key)),
    resetKey: (key) => guarded(() => inner.resetKey(key)),
    get: (key) => guarded(() => inner.get(key)),
  };
}
