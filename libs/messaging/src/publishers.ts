import { randomUUID } from 'node:crypto';
import type { Envelope, Stage, StageEvent, TaskPayloads } from '@pressroom/contracts';
import { REQUEST_ID_HEADER, USER_ID_HEADER, injectTraceHeaders } from '@pressroom/telemetry';
import type { Broker, Delivery } from './broker.ts';
import { validateEnvelope, validateEvent } from './envelope.ts';

/** How often a task was put back without spending an attempt (its dependency's breaker was open). */
export const DEFERRALS_HEADER = 'x-pressroom-deferrals';

export class InvalidMessageError extends Error {
  readonly code = 'invalid_message';
}

/** Validates before sending: a producer bug surfaces at its source, not as a dead letter downstream. */
export async function publishTask<S extends Stage>(
  broker: Broker,
  envelope: Envelope<TaskPayloads[S]>,
  headers: Record<string, string> = injectTraceHeaders(),
): Promise<void> {
  const errors = validateEnvelope(envelope);
  if (errors.length > 0) throw new InvalidMessageError(`invalid ${envelope.stage} task: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  await broker.publish(broker.names.tasks, envelope.stage, envelope, taskProperties(envelope, headers));
}

export async function publishDelayed<S extends Stage>(
  broker: Broker,
  envelope: Envelope<TaskPayloads[S]>,
  level: number,
  delayMs: number,
  deferrals = 0,
): Promise<void> {
  await broker.publish('', broker.names.delay(envelope.stage, level), envelope, {
    ...taskProperties(envelope, { ...injectTraceHeaders(), ...(deferrals > 0 ? { [DEFERRALS_HEADER]: String(deferrals) } : {}) }),
    expiration: String(delayMs),
  });
}

export async function publishDeadLetter(
  broker: Broker,
  stage: Stage,
  body: Buffer | unknown,
  meta: { reason: string; detail: string; attempts: number; headers?: Record<string, unknown> },
): Promise<void> {
  const content = Buffer.isBuffer(body) ? JSON.parse(safeJson(body)) : body;
  await broker.publish(broker.names.dlx, stage, content, {
    headers: {
      ...meta.headers,
      'x-pressroom-reason': meta.reason,
      'x-pressroom-detail': meta.detail.slice(0, 2000),
      'x-pressroom-attempts': meta.attempts,
      'x-pressroom-dead-at': new Date().toISOString(),
    },
  });
}

export async function publishEvent(broker: Broker, event: Omit<StageEvent, 'event_id' | 'at'> & Partial<Pick<StageEvent, 'at'>>): Promise<void> {
  const full: StageEvent = { event_id: randomUUID(), at: new Date().toISOString(), ...event };
  const errors = validateEvent(full);
  if (errors.length > 0) throw new InvalidMessageError(`invalid event: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
  await broker.publish(broker.names.events, `request.${full.stage}.${full.type}`, full, {
    messageId: full.event_id,
    headers: { ...injectTraceHeaders(), [REQUEST_ID_HEADER]: full.request_id, [USER_ID_HEADER]: full.user_id },
  });
}

export function taskProperties(envelope: Pick<Envelope<unknown>, 'message_id' | 'stage' | 'request_id' | 'user_id'>, headers: Record<string, string>) {
  return {
    messageId: envelope.message_id,
    type: envelope.stage,
    timestamp: Math.floor(Date.now() / 1000),
    headers: { ...headers, [REQUEST_ID_HEADER]: envelope.request_id, [USER_ID_HEADER]: envelope.user_id },
  };
}

/** Keeps an unparsable body as a string so the dead letter still shows what arrived. */
function safeJson(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify({ unparsable_body: text.slice(0, 10000) });
  }
}

/**
 * Moves a delivery to the back of `queue` as a new message (same body, headers and id), then acks it; if the
 * copy is not confirmed, the delivery is requeued after all. Unlike a requeue, it spends nothing of a quorum
 * queue's delivery limit, and unlike a reject it can go somewhere other than the queue's dead-letter route.
 * `headers` replaces the delivery's own.
 */
export async function moveDelivery(broker: Broker, queue: string, delivery: Delivery, headers = delivery.message.properties.headers): Promise<void> {
  const { contentType, messageId, timestamp } = delivery.message.properties;
  try {
    await broker.publish('', queue, delivery.message.content, { headers, contentType, messageId, timestamp, persistent: true });
    delivery.ack();
  } catch {
    delivery.requeue();
  }
}
