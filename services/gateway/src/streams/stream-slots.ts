import { randomUUID } from 'node:crypto';
import type { Redis } from '@pressroom/cache';
import { AppError } from '@pressroom/contracts';

/**
 * MAX_STREAMS_PER_USER across every replica: one sorted set per user, a member per open stream scored by when it
 * lapses. Streams refresh their score on each heartbeat, so a replica that died without closing its streams
 * frees their slots after `leaseMs`. Opening is one MULTI (drop lapsed members, add, count).
 */
export function createStreamSlots(deps: { redis: Redis; maxPerUser: number; leaseMs: number }) {
  const key = (userId: string) => `streams:${userId}`;
  return {
    async acquire(userId: string): Promise<{ renew(): Promise<void>; release(): Promise<void> }> {
      const member = randomUUID();
      const now = Date.now();
      let count: number;
      try {
        const replies = await deps.redis
          .multi()
          .zremrangebyscore(key(userId), '-inf', now)
          .zadd(key(userId), now + deps.leaseMs, member)
          .zcard(key(userId))
          .pexpire(key(userId), deps.leaseMs)
          .exec();
        count = Number(replies?.[2]?.[1] ?? 0);
      } catch {
        // Fails open like the hourly limiters: a Redis outage must not end every stream.
        return { renew: async () => undefined, release: async () => undefined };
      }
      const release = async () => {
        await deps.redis.zrem(key(userId), member).catch(() => undefined);
      };
      if (count > deps.maxPerUser) {
        await release();
        throw new AppError('rate_limited', `at most ${deps.maxPerUser} event streams may be open at once (MAX_STREAMS_PER_USER); close one first`, {
          headers: { 'Retry-After': '5' },
        });
      }
      return {
        renew: async () => {
          await deps.redis
            .multi()
            .zadd(key(userId), Date.now() + deps.leaseMs, member)
            .pexpire(key(userId), deps.leaseMs)
            .exec()
            .catch(() => undefined);
        },
        release,
      };
    },
  };
}

export type StreamSlots = ReturnType<typeof createStreamSlots>;
