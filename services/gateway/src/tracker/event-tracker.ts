import type { Logger } from '@pressroom/logger';
import { declareEventsQueue, moveDelivery, parseEvent, type Broker } from '@pressroom/messaging';
import type { Metrics } from '@pressroom/telemetry';
import type { Db } from '../db/pool.ts';
import type { Alerts } from '../alerts/alerts.ts';
import { createEventBatcher } from './event-batcher.ts';

/**
 * Queue entry point for `pressroom.events`: parse, record (in small batches), ack. An invalid event can never be
 * recorded: it is moved to `events.dead` (kept for inspection). One that cannot be recorded while PostgreSQL stays
 * away is moved to `events.retry`, which brings it back after the longest backoff (topology.ts).
 */
export async function startEventTracker(deps: {
  db: Db;
  broker: Broker;
  logger: Logger;
  metrics: Metrics;
  alerts: Alerts;
  slowRequestMs: number | undefined;
  onRecorded?: (requestIds: string[]) => void;
}): Promise<void> {
  const { broker, logger } = deps;
  const batcher = createEventBatcher({
    db: deps.db,
    logger,
    isBrokerConnected: () => broker.isConnected(),
    // A fresh message: the broker's death records stay behind, so no round of the loop looks like a cycle to it.
    retryLater: (delivery) => moveDelivery(broker, broker.names.eventsRetry, delivery, withoutDeathHeaders(delivery.message.properties.headers)),
    ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
    onChange: (change) => {
      if (change.status === 'published' || change.status === 'failed' || change.status === 'cancelled')
        deps.metrics.requestsFinished.inc({ status: change.status });
      // Off unless a threshold is set (where Prometheus runs, its rules own latency).
      const threshold = deps.slowRequestMs;
      const elapsed = change.status === 'published' ? Date.now() - Date.parse(change.created_at) : 0;
      if (threshold !== undefined && elapsed > threshold)
        deps.alerts.raiseAlert({ kind: 'slow_request', request_id: change.request_id, duration_ms: elapsed, threshold_ms: threshold });
    },
  });
  await broker.consume(
    broker.names.eventsQueue,
    async (delivery) => {
      const parsed = parseEvent(delivery.message.content);
      if (!parsed.ok) {
        logger.warn({ errors: parsed.errors }, 'invalid stage event moved to events.dead');
        await moveDelivery(broker, broker.names.eventsDead, delivery);
        return;
      }
      await batcher.add(parsed.event, delivery);
    },
    (ch) => declareEventsQueue(ch, broker.names),
  );
}

function withoutDeathHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !/^x-(death|first-death-|last-death-|delivery-count)/.test(name)));
}
