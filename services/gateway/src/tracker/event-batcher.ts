import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import type { StageEvent } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import type { Delivery } from '@pressroom/messaging';
import { retryWhileDatabaseUnavailable, type Db } from '../db/pool.ts';
import { recordStageEvents, type StatusChange } from './record-stage-event.ts';

interface Item {
  event: StageEvent;
  delivery: Delivery;
  done: () => void;
}

/**
 * Collects stage events for a few milliseconds and records them in one transaction: six events per request
 * would otherwise cost six commits. While PostgreSQL is away a batch is held and retried, not requeued; any
 * other failure falls back to one event at a time, so one bad event cannot hold up the rest.
 */
export function createEventBatcher(deps: {
  db: Db;
  logger: Logger;
  isBrokerConnected: () => boolean;
  onChange: (e: StageEvent, c: StatusChange) => void;
  maxBatch?: number;
  maxWaitMs?: number;
  lanes?: number;
}) {
  const maxBatch = deps.maxBatch ?? 250;
  const maxWaitMs = deps.maxWaitMs ?? 5;
  // Lanes by request id: a request's events always share a lane (kept in order, and two lanes never lock the
  // same rows), while lanes commit in parallel on separate connections.
  const lanes = Array.from({ length: deps.lanes ?? 4 }, () => ({ pending: [] as Item[], timer: undefined as NodeJS.Timeout | undefined, chain: Promise.resolve() }));
  type Lane = (typeof lanes)[number];

  function laneOf(requestId: string): Lane {
    return lanes[parseInt(requestId.slice(0, 8), 16) % lanes.length]!;
  }

  function flush(lane: Lane): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const batch = lane.pending;
    lane.pending = [];
    // A batch mixes requests, so it belongs to no request's trace: its database spans start a trace of their own.
    if (batch.length > 0) lane.chain = lane.chain.then(() => context.with(ROOT_CONTEXT, () => apply(batch)));
  }

  async function apply(batch: Item[]): Promise<void> {
    try {
      const changes = await retryWhileDatabaseUnavailable(() => recordStageEvents(deps.db, batch.map((b) => b.event)), {
        logger: deps.logger,
        what: `${batch.length} stage events`,
        keepHolding: deps.isBrokerConnected,
      });
      batch.forEach((b, i) => settle(b, changes[i]));
      return;
    } catch {
      // Retried one by one below: a bad event must not hold up the rest.
    }
    for (const item of batch) {
      try {
        const [change] = await recordStageEvents(deps.db, [item.event]);
        settle(item, change);
      } catch (err) {
        deps.logger.warn({ err, request_id: item.event.request_id, event: item.event.type }, 'could not record stage event; requeueing');
        item.delivery.requeue();
        item.done();
      }
    }
  }

  function settle(item: Item, change: StatusChange | undefined): void {
    if (change) deps.onChange(item.event, change);
    item.delivery.ack();
    item.done();
  }

  return {
    /** Resolves once the event is recorded (and acked) or handed back to the queue. */
    add(event: StageEvent, delivery: Delivery): Promise<void> {
      return new Promise((done) => {
        const lane = laneOf(event.request_id);
        lane.pending.push({ event, delivery, done });
        if (lane.pending.length >= maxBatch) flush(lane);
        else lane.timer ??= setTimeout(() => flush(lane), maxWaitMs);
      });
    },
  };
}
