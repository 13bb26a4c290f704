import type { Redis } from 'ioredis';

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
    async markDone(messageId: string): Promise<void> {
      await redis.set(key(messageId), '1', 'EX', ttlSeconds).catch(() => undefined);
    },
  };
}
