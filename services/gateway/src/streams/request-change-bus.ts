import type { Redis } from '@pressroom/cache';
import type { Logger } from '@pressroom/logger';

type ChangeListener = () => void;

export interface RequestChangeBus {
  /** After a commit that recorded events: one PUBLISH per batch, whatever its size. */
  publish(requestIds: readonly string[]): Promise<void>;
  /** Calls `listener` whenever any replica reports a change to the request; returns the unsubscribe. */
  listen(requestId: string, listener: ChangeListener): () => void;
  close(): Promise<void>;
}

/**
 * "Request changed" notifications between replicas over Redis pub/sub. A notification carries only ids: the
 * event log in PostgreSQL is the truth, and each stream reads what it has not sent from there. A lost
 * notification (Redis restarting) is therefore only a delay: every listener is woken when the subscriber
 * reconnects, and streams re-read on their heartbeat too. Channel names are not covered by ioredis'
 * `keyPrefix`, so the prefix is added here (test runs and environments sharing one Redis never meet).
 */
export function createRequestChangeBus(deps: { redis: Redis; keyPrefix: string; logger: Logger }): RequestChangeBus {
  const channel = `${deps.keyPrefix}request-changes`;
  const listeners = new Map<string, Set<ChangeListener>>();
  // A subscribed connection can do nothing else; its commands wait while it reconnects, so it keeps an offline queue.
  const subscriber = deps.redis.duplicate({ enableOfflineQueue: true, keyPrefix: '' });
  subscriber.on('error', () => undefined);
  let readyBefore = false;
  subscriber.on('ready', () => {
    if (readyBefore) for (const set of listeners.values()) for (const l of set) l();
    readyBefore = true;
  });
  subscriber.subscribe(channel).catch((err: unknown) => deps.logger.warn({ err }, 'could not subscribe to request changes'));
  subscriber.on('message', (_channel: string, message: string) => {
    for (const id of message.split(',')) for (const l of listeners.get(id) ?? []) l();
  });

  return {
    async publish(requestIds) {
      if (requestIds.length === 0) return;
      await deps.redis
        .publish(channel, requestIds.join(','))
        .catch((err: unknown) => deps.logger.debug({ err }, 'request change not published; streams catch up on their heartbeat'));
    },
    listen(requestId, listener) {
      const set = listeners.get(requestId) ?? listeners.set(requestId, new Set()).get(requestId)!;
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(requestId);
      };
    },
    async close() {
      listeners.clear();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
