import { Redis } from 'ioredis';
import type { Logger } from '@pressroom/logger';

/**
 * ioredis reconnects by itself; commands issued while it is away fail fast (no offline queue) so callers can
 * fall back instead of hanging. `keyPrefix` isolates environments and test runs sharing one Redis.
 */
export function createRedis(url: string, keyPrefix: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    keyPrefix,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
  let down = false;
  redis.on('error', (err) => {
    if (!down) logger.warn({ err }, 'redis unavailable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis reconnected');
    down = false;
  });
  return redis;
}

/** Resolves once connected (bounded), so a service does not start its consumers against a cold cache. */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** The server's `redis_version` (INFO server), or undefined when it does not say (INFO denied by an ACL, or failing). */
export async function redisVersion(redis: Redis): Promise<string | undefined> {
  const info = await redis.info('server').catch(() => '');
  return /^redis_version:(\S+)/m.exec(info)?.[1];
}

export async function closeRedis(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}

export type { Redis };
