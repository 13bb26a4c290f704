import type { Redis } from 'ioredis';
import type { Logger } from '@pressroom/logger';

// Longer than any retry schedule (the defaults span minutes), like the task de-duplication markers.
const MARKER_TTL_S = 7 * 24 * 3600;

export const cancelMarkerKey = (requestId: string) => `cancel:${requestId}`;
/** Pub/sub channel names are not covered by ioredis' keyPrefix; the prefix is added by hand. */
const channelOf = (keyPrefix: string) => `${keyPrefix}cancels`;

/**
 * The gateway's side of a cancel: a marker that workers read before starting a stage (together with their
 * de-duplication marker, in one round trip: see dedupe-store.ts), and a notice for a stage already running
 * (the llm abandons its call). Both in one MULTI.
 */
export async function markCancelled(redis: Redis, keyPrefix: string, requestId: string): Promise<void> {
  await redis.multi().set(cancelMarkerKey(requestId), '1', 'EX', MARKER_TTL_S).publish(channelOf(keyPrefix), requestId).exec();
}

/**
 * A worker's ear for cancels of the stages it runs: `watch(requestId)` gives the signal that aborts when one
 * arrives. One subscribed connection per process; a notice missed while Redis reconnects only means the stage
 * runs to its end, and the next boundary stops the request.
 */
export function createCancelWatch(redis: Redis, keyPrefix: string, logger: Logger) {
  const running = new Map<string, Set<AbortController>>();
  const subscriber = redis.duplicate({ enableOfflineQueue: true, keyPrefix: '' });
  subscriber.on('error', () => undefined);
  subscriber.subscribe(channelOf(keyPrefix)).catch((err: unknown) => logger.warn({ err }, 'could not subscribe to cancels'));
  subscriber.on('message', (_channel: string, requestId: string) => {
    for (const c of running.get(requestId) ?? []) c.abort(new Error('the request was cancelled'));
  });
  return {
    watch(requestId: string): { signal: AbortSignal; stop(): void } {
      const controller = new AbortController();
      const set = running.get(requestId) ?? running.set(requestId, new Set()).get(requestId)!;
      set.add(controller);
      return {
        signal: controller.signal,
        stop() {
          set.delete(controller);
          if (set.size === 0) running.delete(requestId);
        },
      };
    },
    async close(): Promise<void> {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

export type CancelWatch = ReturnType<typeof createCancelWatch>;
