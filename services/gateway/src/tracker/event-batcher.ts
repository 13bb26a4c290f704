import type { StageEvent } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import type { Delivery } from '@pressroom/messaging';
import { inBackground } from '@pressroom/telemetry';
import { isDatabaseUnavailable, retryWhileDatabaseUnavailable, type Db } from '../db/pool.ts';
import { applyStageEvents, type StatusChange } from './request-state-writer.ts';

interface Item {
  event: StageEvent;
  delivery: Delivery;
  done: () => void;
}

/**
 * Collects stage events for a few milliseconds, or for as long as the previous batch takes to write, and records
 * them in one statement (see applyStageEvents): a request's events in one batch cost one update of its row, and
 * six events per request no longer six commits. While PostgreSQL is away a batch is held and retried, not
 * requeued; any other failure falls back to one event at a time, so one bad event cannot hold up the rest. An
 * event that still finds PostgreSQL away (past `holdMs`) is handed to `retryLater`, not requeued: a requeue
 * spends the queue's delivery limit, past which the event would be parked for good. Other failures are requeued.
 */
export function createEventBatcher(deps: {
  db: Db;
  logger: Logger;
  isBrokerConnected: () => boolean;
  onChange: (c: StatusChange) => void;
  /** After each commit, with the requests whose events it recorded (SSE streams on every replica re-read them). */
  onRecorded?: (requestIds: string[]) => void;
  /** Takes a delivery that could not be recorded because PostgreSQL is away (the tracker moves it to `events.retry`). */
  retryLater?: (delivery: Delivery) => Promise<void>;
  /** How long a batch is held while PostgreSQL is away (default 10 minutes). */
  holdMs?: number;
  maxBatch?: number;
  maxWaitMs?: number;
  lanes?: number;
}) {
  const maxBatch = deps.maxBatch ?? 250;
  const maxWaitMs = deps.maxWaitMs ?? 5;
  // Lanes by request id: a request's events always share a lane (kept in order, and two lanes never lock the
  // same rows), while lanes commit in parallel on separate connections. A lane writes one batch at a time: what
  // arrives while its statement runs waits for it and goes in the next batch, so batches grow with the load and
  // the commits per second stay bounded by the round trip (group commit), instead of one commit per
  // `maxWaitMs` window however slow each commit is.
  const lanes = Array.from({ length: deps.lanes ?? 4 }, () => ({
    pending: [] as Item[],
    timer: undefined as NodeJS.Timeout | undefined,
    writing: false,
  }));
  type Lane = (typeof lanes)[number];

  function laneOf(requestId: string): Lane {
    return lanes[parseInt(requestId.slice(0, 8), 16) % lanes.length]!;
  }

  function flush(lane: Lane): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const batch = lane.pending.splice(0, maxBatch);
    if (batch.length === 0) return;
    lane.writing = true;
    // A batch mixes requests, so it belongs to no request's trace or log context (not the first event's): its
    // spans start a trace of their own, and its log lines name the requests they are about.
    void inBackground(() =>
      apply(batch)
        .catch((err: unknown) => deps.logger.error({ err }, 'stage event batch failed'))
        .finally(() => {
          lane.writing = false;
          // What arrived meanwhile has already waited a round trip: it goes at once.
          flush(lane);
        }),
    );
  }

  async function apply(batch: Item[]): Promise<void> {
    let changes: StatusChange[] | undefined;
    try {
      changes = await retryWhileDatabaseUnavailable(
        () =>
          applyStageEvents(
            deps.db,
            batch.map((b) => b.event),
          ),
        {
          logger: deps.logger,
          what: `${batch.length} stage events`,
          keepHolding: deps.isBrokerConnected,
          ...(deps.holdMs !== undefined ? { holdMs: deps.holdMs } : {}),
        },
      );
    } catch {
      // Retried one by one below: a bad event must not hold up the rest.
    }
    if (changes) return settle(batch, changes);
    for (const item of batch) {
      let recorded: StatusChange[];
      try {
        recorded = await applyStageEvents(deps.db, [item.event]);
      } catch (err) {
        const later = isDatabaseUnavailable(err) ? deps.retryLater : undefined;
        deps.logger.warn(
          { err, request_id: item.event.request_id, event: item.event.type },
          later ? 'could not record stage event; retrying it later' : 'could not record stage event; requeueing',
        );
        if (later) await later(item.delivery);
        else item.delivery.requeue();
        item.done();
        continue;
      }
      settle([item], recorded);
    }
  }

  /** After the commit: the deliveries are acked first, so a failing listener can never have them applied twice. */
  function settle(items: Item[], changes: StatusChange[]): void {
    for (const item of items) {
      item.delivery.ack();
      item.done();
    }
    try {
      for (const change of changes) deps.onChange(change);
      deps.onRecorded?.([...new Set(items.map((i) => i.event.request_id))]);
    } catch (err) {
      deps.logger.error({ err }, 'a listener of recorded stage events failed');
    }
  }

  return {
    /** Resolves once the event is recorded (and acked) or handed back to the queue. */
    add(event: StageEvent, delivery: Delivery): Promise<void> {
      return new Promise((done) => {
        const lane = laneOf(event.request_id);
        lane.pending.push({ event, delivery, done });
        if (lane.writing) return;
        if (lane.pending.length >= maxBatch) flush(lane);
        else lane.timer ??= setTimeout(() => flush(lane), maxWaitMs);
      });
    },
  };
}
