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
export function createRedisRateLimitStore(redis: Redis, limiter: string, onError: (err: unknown) => void, send: SendCommand = directSender(redis)): Store {
  const prefix = `rl:${limiter}:`;
  const make = () => new RedisStore({ prefix, sendCommand: send });
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

export type SendCommand = (command: string, ...args: string[]) => Promise<RedisReply>;

function directSender(redis: Redis): SendCommand {
  return (command, ...args) => redis.call(command, ...args) as Promise<RedisReply>;
}

/**
 * A sender that puts the commands issued within one turn of the event loop into one pipeline: the limiters an
 * authenticated call passes (its per-user budget and the per-address ceiling) run side by side, so together
 * they cost one Redis round trip instead of one each.
 */
export function pipelinedSender(redis: Redis): SendCommand {
  let queue: { command: string; args: string[]; resolve: (r: RedisReply) => void; reject: (e: unknown) => void }[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    const pipeline = redis.pipeline();
    for (const c of batch) pipeline.call(c.command, ...c.args);
    pipeline.exec().then(
      (results) =>
        batch.forEach((c, i) => {
          const [err, reply] = results?.[i] ?? [new Error('no reply'), undefined];
          if (err) c.reject(err);
          else c.resolve(reply as RedisReply);
        }),
      (err: unknown) => batch.forEach((c) => c.reject(err)),
    );
  };
  return (command, ...args) =>
    new Promise((resolve, reject) => {
      queue.push({ command, args, resolve, reject });
      if (queue.length === 1) setImmediate(flush);
    });
}
