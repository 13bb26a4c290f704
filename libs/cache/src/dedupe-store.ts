import type { Redis } from 'ioredis';
import { cancelMarkerKey } from './cancel-markers.ts';

/**
 * Completed task message ids, kept a week (longer than any retry schedule). If Redis is away the check says
 * "not done" and the stage runs again: stages are idempotent, and the publisher keeps its own marker.
 */
export function createDedupeStore(redis: Redis, stage: string, ttlSeconds = 7 * 24 * 3600) {
  const key = (id: string) => `done:${stage}:${id}`;
  return {
    async isDone(messageId: string): Promise<boolean> {
      try {
        return (await redis.exists(key(messageId))) === 1;
      } catch {
        return false;
      }
    },
    /**
     * Both questions a worker asks before it starts a stage, in one MGET: was this task done already, and was
     * its request cancelled. Redis away: neither (the stage runs; the next boundary checks again).
     */
    async beforeStart(messageId: string, requestId: string): Promise<{ done: boolean; cancelled: boolean }> {
      try {
        const [done, cancelled] = await redis.mget(key(messageId), cancelMarkerKey(requestId));
        return { done: done !== null, cancelled: cancelled !== null };
      } catch {
        return { done: false, cancelled: false };
      }
    },
    async markDone(messageId: string): Promise<void> {
      await redis.set(key(messageId), '1', 'EX', ttlSeconds).catch(() => undefined);
    },
  };
}
