import { createHash, randomUUID } from 'node:crypto';
import { Envelope, StageEvent, TASK_PAYLOADS, createValidator, type FieldError, type Stage, type TaskPayloads } from '@pressroom/contracts';

const validator = createValidator();

export function createEnvelope<S extends Stage>(input: {
  request_id: string;
  user_id: string;
  stage: S;
  payload: TaskPayloads[S];
  attempt?: number;
  message_id?: string;
  /** The request's run (Envelope.run); absent or undefined for its first. */
  run?: number | undefined;
}): Envelope<TaskPayloads[S]> {
  return {
    message_id: input.message_id ?? randomUUID(),
    request_id: input.request_id,
    user_id: input.user_id,
    stage: input.stage,
    attempt: input.attempt ?? 1,
    ...(input.run ? { run: input.run } : {}),
    enqueued_at: new Date().toISOString(),
    payload: input.payload,
  };
}

/**
 * The id of the task a stage hands on, derived from the task it came from: a redelivered task that
 * completes twice hands on the same id, so the next consumer can drop the duplicate.
 */
export function derivedMessageId(fromMessageId: string, stage: Stage): string {
  return createHash('sha256').update(`${fromMessageId}:${stage}`).digest('base64url').slice(0, 32);
}

export type ParsedEnvelope<S extends Stage> =
  { ok: true; envelope: Envelope<TaskPayloads[S]> } | { ok: false; errors: FieldError[]; request_id?: string; user_id?: string };

/** Validates envelope and stage payload; `request_id` is salvaged from a broken message when possible. */
export function parseEnvelope<S extends Stage>(stage: S, body: Buffer): ParsedEnvelope<S> {
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, errors: [{ field: '(root)', message: 'is not valid JSON' }] };
  }
  const salvage = salvageIds(data);
  const env = validator.check(Envelope, data);
  if (!env.ok) return { ok: false, errors: env.errors, ...salvage };
  if (env.value.stage !== stage) return { ok: false, errors: [{ field: 'stage', message: `must be ${stage}` }], ...salvage };
  const payload = validator.check(TASK_PAYLOADS[stage], env.value.payload);
  if (!payload.ok) return { ok: false, errors: payload.errors.map((e) => ({ ...e, field: `payload.${e.field}` })), ...salvage };
  return { ok: true, envelope: env.value as Envelope<TaskPayloads[S]> };
}

export function validateEnvelope<S extends Stage>(envelope: Envelope<TaskPayloads[S]>): FieldError[] {
  const env = validator.check(Envelope, envelope);
  if (!env.ok) return env.errors;
  const payload = validator.check(TASK_PAYLOADS[envelope.stage as S], envelope.payload);
  return payload.ok ? [] : payload.errors;
}

export function parseEvent(body: Buffer): { ok: true; event: StageEvent } | { ok: false; errors: FieldError[] } {
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, errors: [{ field: '(root)', message: 'is not valid JSON' }] };
  }
  const r = validator.check(StageEvent, data);
  return r.ok ? { ok: true, event: r.value } : { ok: false, errors: r.errors };
}

export function validateEvent(event: StageEvent): FieldError[] {
  const r = validator.check(StageEvent, event);
  return r.ok ? [] : r.errors;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function salvageIds(data: unknown): { request_id?: string; user_id?: string } {
  if (typeof data !== 'object' || data === null) return {};
  const { request_id, user_id } = data as Record<string, unknown>;
  return {
    ...(typeof request_id === 'string' && UUID.test(request_id) ? { request_id } : {}),
    ...(typeof user_id === 'string' && UUID.test(user_id) ? { user_id } : {}),
  };
}
