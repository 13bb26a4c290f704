import type { Logger } from '@pressroom/logger';
import { withLogContext } from '@pressroom/logger';
import { declareEventsQueue, parseEvent, type Broker } from '@pressroom/messaging';
import type { Metrics } from '@pressroom/telemetry';
import type { Db } from '../db/pool.ts';
import { recordStageEvent } from './record-stage-event.ts';
import { isDatabaseUnavailable } from '../db/pool.ts';
import type { Alerts } from '../alerts/alerts.ts';

/**
 * Queue entry point for `pressroom.events`: parse, record, ack. An invalid event is dead-lettered (nack without
 * requeue routes it to `events.dead`); a database failure requeues it, so no progress is lost while PostgreSQL is away.
 */
export async function startEventTracker(deps: { db: Db; broker: Broker; logger: Logger; metrics: Metrics; alerts: Alerts; slowRequestMs: number }): Promise<void> {
  const { broker, logger } = deps;
  await broker.consume(
    broker.names.eventsQueue,
    async (delivery) => {
      const parsed = parseEvent(delivery.message.content);
      if (!parsed.ok) {
        logger.warn({ errors: parsed.errors }, 'invalid stage event dead-lettered');
        delivery.reject();
        return;
      }
      const event = parsed.event;
      await withLogContext({ request_id: event.request_id, user_id: event.user_id, stage: event.stage }, async () => {
        for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
          try {
            const changed = await recordStageEvent(deps.db, event);
            if (changed?.status === 'published' || changed?.status === 'failed') deps.metrics.requestsFinished.inc({ status: changed.status });
            const elapsed = changed?.status === 'published' ? Date.now() - Date.parse(changed.created_at) : 0;
            if (elapsed > deps.slowRequestMs) deps.alerts.raiseAlert({ kind: 'slow_request', request_id: event.request_id, duration_ms: elapsed, threshold_ms: deps.slowRequestMs });
            delivery.ack();
            return;
          } catch (err) {
            // While PostgreSQL is away the event is held, not requeued: every requeue counts toward the queue's
            // delivery limit, and an outage must not push progress into events.dead. Other errors are requeued
            // and, if they persist, dead-lettered by that limit.
            if (!isDatabaseUnavailable(err) || !broker.isConnected()) {
              logger.warn({ err, event: event.type }, 'could not record stage event; requeueing');
              delivery.requeue();
              return;
            }
            logger.warn({ err, retry_in_ms: wait }, 'database unavailable; holding the stage event until it returns');
            await new Promise((r) => setTimeout(r, wait));
          }
        }
      });
    },
    (ch) => declareEventsQueue(ch, broker.names),
  );
}
