import pg from 'pg';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { Logger } from '@pressroom/logger';
import type { Broker } from '@pressroom/messaging';
import { REQUEST_ID_HEADER, USER_ID_HEADER, extractTraceContext, injectTraceHeaders, type Metrics } from '@pressroom/telemetry';
import { withLogContext } from '@pressroom/logger';
import { inTransaction, type Db } from '../db/pool.ts';
import { OUTBOX_CHANNEL, claimOutboxBatch, deleteOutboxRows, type OutboxRow } from './outbox-repository.ts';

const tracer = trace.getTracer('pressroom.outbox');

export interface OutboxRelayDeps {
  db: Db;
  databaseUrl: string;
  broker: Broker;
  logger: Logger;
  metrics: Metrics;
  batchSize: number;
  pollMs: number;
}

/**
 * Publishes outbox rows with publisher confirms, then deletes them in the same transaction that claimed them.
 * A crash after the confirm but before the commit re-sends the batch: at-least-once, which the consumers'
 * de-duplication by message_id absorbs. Woken by LISTEN/NOTIFY at commit, with a poll as the safety net.
 */
export function createOutboxRelay(deps: OutboxRelayDeps) {
  const { logger } = deps;
  let stopped = false;
  let draining: Promise<void> | undefined;
  let again = false;
  let listener: pg.Client | undefined;
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
    do {
      again = false;
      try {
        while (!stopped && deps.broker.isConnected() && (await drainOnce()) === deps.batchSize);
      } catch (err) {
        logger.warn({ err }, 'outbox relay could not publish; rows stay for the next attempt');
        return;
      }
    } while (again && !stopped);
  }

  function wake(): Promise<void> {
    if (draining) {
      again = true;
      return draining;
    }
    draining = drainAll().finally(() => (draining = undefined));
    return draining;
  }

  async function listen(): Promise<void> {
    if (stopped) return;
    const client = new pg.Client({ connectionString: deps.databaseUrl, application_name: 'pressroom-outbox-listener' });
    client.on('notification', () => void wake());
    client.on('error', (err) => {
      logger.warn({ err }, 'outbox listener lost its connection; polling until it is back');
      listener = undefined;
      client.end().catch(() => undefined);
      setTimeout(() => void listen().catch(() => undefined), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      listener = client;
      void wake();
    } catch (err) {
      logger.warn({ err }, 'outbox listener could not connect; retrying');
      await client.end().catch(() => undefined);
      setTimeout(() => void listen().catch(() => undefined), 1000).unref();
    }
  }

  return {
    async start(): Promise<void> {
      await listen();
      const poll = () => {
        if (stopped) return;
        void wake().finally(() => {
          if (!stopped) pollTimer = setTimeout(poll, deps.pollMs);
        });
      };
      pollTimer = setTimeout(poll, deps.pollMs);
    },
    wake,
    /** Stops listening and polling, after one last drain so accepted requests leave with this replica. */
    async stop(): Promise<void> {
      clearTimeout(pollTimer);
      await wake().catch(() => undefined);
      stopped = true;
      await listener?.end().catch(() => undefined);
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
