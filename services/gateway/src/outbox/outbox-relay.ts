import { SpanKind, context, trace } from '@opentelemetry/api';
import type { Logger } from '@pressroom/logger';
import type { Broker } from '@pressroom/messaging';
import { REQUEST_ID_HEADER, USER_ID_HEADER, extractTraceContext, injectTraceHeaders, type Metrics } from '@pressroom/telemetry';
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

  async function publishRow(row: OutboxRow): Promise<void> {
    const exchange = row.exchange_key === 'tasks' ? deps.broker.names.tasks : deps.broker.names.events;
    const message = row.message as { message_id?: string; user_id?: string };
    const ids = { [REQUEST_ID_HEADER]: row.request_id, ...(message.user_id ? { [USER_ID_HEADER]: message.user_id } : {}) };
    await withLogContext({ request_id: row.request_id, ...(message.user_id ? { user_id: message.user_id } : {}) }, () =>
      context.with(extractTraceContext(row.headers), () =>
      tracer.startActiveSpan(`${row.routing_key} publish`, { kind: SpanKind.PRODUCER, attributes: { request_id: row.request_id, 'messaging.destination.name': exchange } }, async (span) => {
        try {
          await deps.broker.publish(exchange, row.routing_key, row.message, { messageId: message.message_id, type: row.routing_key, headers: { ...injectTraceHeaders(), ...ids } });
        } finally {
          span.end();
        }
      }),
      ),
    );
  }

  async function drainOnce(): Promise<number> {
    return inTransaction(deps.db, async (tx) => {
      const rows = await claimOutboxBatch(tx, deps.batchSize);
      if (rows.length === 0) return 0;
      await Promise.all(rows.map(publishRow));
      await deleteOutboxRows(tx, rows.map((r) => r.id));
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
    // Started on a later tick so that `draining` is set before drainAll can clear it.
    draining = Promise.resolve().then(drainAll);
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

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
