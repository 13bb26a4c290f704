import { createHash, randomUUID } from 'node:crypto';
import { STAGES, publicStageError, type Stage } from '@pressroom/contracts';
import { withLogContext, type Logger } from '@pressroom/logger';
import { moveDelivery, type Broker, type Delivery } from '@pressroom/messaging';
import type { Metrics } from '@pressroom/telemetry';
import { inTransaction, retryWhileDatabaseUnavailable, type Db } from '../db/pool.ts';
import { applyStageEvents } from '../tracker/request-state-writer.ts';
import type { Alerts } from '../alerts/alerts.ts';
import { insertDeadLetter } from './dead-letter-repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface XDeath {
  reason?: string;
  queue?: string;
  count?: number;
}

type DeadLetterDeps = { db: Db; broker: Broker; logger: Logger; metrics: Metrics; alerts: Alerts };

/**
 * Moves `<stage>.dead` into the `dead_letters` table, where it can be listed and replayed: a queue cannot be
 * browsed without disturbing it. Workers add the reason in `x-pressroom-*` headers; messages RabbitMQ itself
 * dead-lettered (a crash loop past the delivery limit) carry `x-death` instead.
 */
export async function startDeadLetterConsumers(deps: DeadLetterDeps): Promise<void> {
  for (const stage of STAGES) await deps.broker.consume(deps.broker.names.dead(stage), (delivery) => storeDeadLetter(deps, stage, delivery));
}

async function storeDeadLetter(deps: DeadLetterDeps, stage: Stage, delivery: Delivery): Promise<void> {
  const headers = (delivery.message.properties.headers ?? {}) as Record<string, unknown>;
  const raw = delivery.message.content.toString('utf8');
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    message = { unparsable_body: raw.slice(0, 10_000) };
  }
  const body = (message ?? {}) as { request_id?: unknown; attempt?: unknown; run?: unknown };
  const death = (Array.isArray(headers['x-death']) ? headers['x-death'][0] : undefined) as XDeath | undefined;
  const reason = str(headers['x-pressroom-reason']) ?? (death?.reason ? `broker_${death.reason}` : 'unknown');
  const detail =
    str(headers['x-pressroom-detail']) ??
    (death ? `dead-lettered by RabbitMQ from ${death.queue ?? '?'} (${death.reason ?? '?'}, ${death.count ?? 1} times)` : null);
  const requestId = typeof body.request_id === 'string' && UUID.test(body.request_id) ? body.request_id : null;
  const attempts = Number(headers['x-pressroom-attempts'] ?? body.attempt ?? death?.count ?? 0) || 0;
  // The run the task belonged to (Envelope.run): a letter of a run a replay has since superseded fails nothing.
  const run = Number.isInteger(body.run) && (body.run as number) > 0 && (body.run as number) <= 1000 ? (body.run as number) : undefined;
  const deadAt = str(headers['x-pressroom-dead-at']) ?? new Date().toISOString();
  // Headers and body do not change between deliveries of one dead letter, so neither does its key.
  const dedupeKey = createHash('sha256').update(stage).update(JSON.stringify(headers)).update(raw).digest('hex');

  await withLogContext({ stage, ...(requestId ? { request_id: requestId } : {}) }, async () => {
    // While PostgreSQL is away the letter is held, not requeued: a dropped dead letter could never be listed or replayed.
    try {
      const stored = await retryWhileDatabaseUnavailable(
        () =>
          inTransaction(deps.db, async (tx) => {
            const inserted = await insertDeadLetter(tx, {
              id: randomUUID(),
              stage,
              request_id: requestId,
              reason,
              detail,
              attempts,
              message,
              dead_at: deadAt,
              dedupe_key: dedupeKey,
              trace_headers: traceHeadersOf(headers),
            });
            // A dead-lettered task means its request cannot finish: through the tracker's writer, as a `failed` event.
            if (inserted && requestId)
              await applyStageEvents(tx, [
                {
                  request_id: requestId,
                  stage,
                  type: 'failed',
                  attempt: attempts,
                  ...(run ? { run } : {}),
                  at: deadAt,
                  error: publicStageError(stage, { code: reason.slice(0, 100), message: workerMessage(reason, detail) }),
                },
              ]);
            return inserted;
          }),
        { logger: deps.logger, what: 'a dead letter' },
      );
      if (stored) deps.logger.warn({ reason, attempts }, `dead letter from ${stage} stored`);
      // A worker counts and alerts its own dead letters; one RabbitMQ made (a task crashing its worker past the
      // delivery limit) has nobody else to tell.
      if (stored && death && !headers['x-pressroom-reason']) {
        deps.metrics.deadLetters.inc({ stage, reason });
        deps.alerts.raiseAlert({ kind: 'broker_dead_letter', stage, request_id: requestId, reason, attempts });
      }
      delivery.ack();
    } catch (err) {
      deps.logger.warn({ err }, 'could not store a dead letter; it goes back to its queue');
      await new Promise((r) => setTimeout(r, 1000));
      // A letter that could not be stored goes to the back of its queue as a new message: requeueing the delivery
      // would count against the queue's delivery limit (RabbitMQ 4 gives quorum queues one of 20 by default, and a
      // dead queue has nowhere further to dead-letter to), after which the letter would be dropped.
      await moveDelivery(deps.broker, deps.broker.names.dead(stage), delivery);
    }
  });
}

/**
 * A worker's detail is `<code>: <message>`; for a permanent failure the code is the reason, and its message is the
 * one the user reads when the code keeps its own (no_sources names the topic). This letter can reach the request
 * before the worker's failed event does, and the first error written stays. publicStageError still decides which
 * messages are shown; for the rest the reason stands in.
 */
function workerMessage(reason: string, detail: string | null): string {
  return detail?.startsWith(`${reason}: `) ? detail.slice(reason.length + 2, reason.length + 2 + 500) : reason;
}

/** The W3C trace context the letter carried (a worker's dead-lettering or the broker's keeps it), if any. */
function traceHeadersOf(headers: Record<string, unknown>): Record<string, string> | null {
  const traceparent = str(headers['traceparent']);
  if (!traceparent) return null;
  const tracestate = str(headers['tracestate']);
  return { traceparent, ...(tracestate ? { tracestate } : {}) };
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}
