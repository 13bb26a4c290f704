import { SpanKind, context, trace } from '@opentelemetry/api';
import type { Logger } from '@pressroom/logger';
import { STAGES, type Envelope, type Stage, type TaskPayloads } from '@pressroom/contracts';
import { InvalidMessageError, publishDeadLetter, publishTask, type Broker } from '@pressroom/messaging';
import { extractTraceContext, inBackground, type Metrics } from '@pressroom/telemetry';
import { withLogContext } from '@pressroom/logger';
import { inTransaction, type Db } from '../db/pool.ts';
import { claimOutboxBatch, deleteOutboxRows, type OutboxRow } from './outbox-repository.ts';

const tracer = trace.getTracer('pressroom.outbox');

export interface OutboxRelayDeps {
  db: Db;
  broker: Broker;
  logger: Logger;
  metrics: Metrics;
  batchSize: number;
  pollMs: number;
}

/**
 * Publishes outbox rows with publisher confirms, then deletes them in the same transaction that claimed them.
 * A crash after the confirm but before the commit re-sends the batch: at-least-once, which the consumers'
 * de-duplication by message_id absorbs. The replica that committed a row wakes its own relay right after the
 * commit; a poll is the safety net (another replica's rows, rows left by a broker outage). Not LISTEN/NOTIFY:
 * PostgreSQL serialises the commits of notifying transactions on one global lock, which caps submissions.
 */
export function createOutboxRelay(deps: OutboxRelayDeps) {
  const { logger } = deps;
  let stopped = false;
  let draining: Promise<void> | undefined;
  let again = false;
  let pollTimer: NodeJS.Timeout | undefined;

  // Every outbox row is a stage task (a submission's first, a replayed dead letter): sent by publishTask, validated
  // like every task a worker sends, inside the trace of the call that wrote the row.
  async function publishRow(row: OutboxRow): Promise<void> {
    const task = row.message as Envelope<TaskPayloads[Stage]>;
    await withLogContext({ request_id: row.request_id, ...(task.user_id ? { user_id: task.user_id } : {}) }, () =>
      context.with(extractTraceContext(row.headers), () =>
        tracer.startActiveSpan(
          `${row.routing_key} publish`,
          { kind: SpanKind.PRODUCER, attributes: { 'messaging.destination.name': deps.broker.names.tasks } },
          async (span) => {
            try {
              await publishTask(deps.broker, task);
            } catch (err) {
              if (!(err instanceof InvalidMessageError)) throw err;
              await deadLetterInvalid(row, err);
            } finally {
              span.end();
            }
          },
        ),
      ),
    );
  }

  // A row that is not a valid task can never be sent; kept in the outbox it would be claimed again on every poll.
  // It becomes a dead letter of its stage instead: listed for an operator, its request failed, nothing lost.
  async function deadLetterInvalid(row: OutboxRow, err: InvalidMessageError): Promise<void> {
    const stage = (STAGES as readonly string[]).includes(row.routing_key) ? (row.routing_key as Stage) : 'research';
    logger.error({ err, outbox_id: row.id, stage }, 'an outbox row is not a valid task; dead-lettered');
    await publishDeadLetter(deps.broker, stage, row.message, { reason: 'invalid_message', detail: err.message, attempts: 0 });
  }

  async function drainOnce(): Promise<number> {
    return inTransaction(deps.db, async (tx) => {
      const rows = await claimOutboxBatch(tx, deps.batchSize);
      if (rows.length === 0) return 0;
      await Promise.all(rows.map(publishRow));
      await deleteOutboxRows(
        tx,
        rows.map((r) => r.id),
      );
      deps.metrics.outboxPublished.inc(rows.length);
      return rows.length;
    });
  }

  async function drainAll(): Promise<void> {
    for (;;) {
      again = false;
      try {
        while (!stopped && deps.broker.isConnected() && (await drainOnce()) === deps.batchSize);
      } catch (err) {
        logger.warn({ err }, 'outbox relay could not publish; rows stay for the next attempt');
        draining = undefined;
        return;
      }
      // Cleared in the same tick as the last look at `again`, so a wake-up can never fall in between.
      if (!again || stopped) {
        draining = undefined;
        return;
      }
    }
  }

  function wake(): Promise<void> {
    if (draining) {
      again = true;
      return draining;
    }
    // Started on a later tick so that `draining` is set before drainAll can clear it; outside the context of the
    // call that woke it, whose request the rows published are not.
    draining = Promise.resolve().then(() => inBackground(drainAll));
    return draining;
  }

  return {
    async start(): Promise<void> {
      void wake();
      const poll = () => {
        if (stopped) return;
        void wake().finally(() => {
          if (!stopped) pollTimer = setTimeout(poll, deps.pollMs);
        });
      };
      pollTimer = setTimeout(poll, deps.pollMs);
    },
    wake,
    /** Stops polling, after one last drain so accepted requests leave with this replica. */
    async stop(): Promise<void> {
      clearTimeout(pollTimer);
      await wake().catch(() => undefined);
      stopped = true;
    },
  };
}
