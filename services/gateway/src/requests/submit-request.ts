import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Channel, type CreateRequestBody } from '@pressroom/contracts';
import { createEnvelope } from '@pressroom/messaging';
import { currentTraceId, injectTraceHeaders } from '@pressroom/telemetry';
import type { Config } from '@pressroom/config';
import { inTransaction } from '../db/pool.ts';
import type { GatewayDeps } from '../deps.ts';
import { dailyQuotaOf, quotaWindow } from './quota.ts';
import { findRequest, insertRequestWithTask, quotaUsage, type RequestRow } from './request-repository.ts';
import { findIdempotencyKey, saveIdempotencyKey } from './idempotency-repository.ts';

export function defaultChannel(config: Config): Channel {
  if (config.DEFAULT_CHANNEL === 'webhook') return { type: 'webhook', url: config.DEFAULT_WEBHOOK_URL! };
  return { type: config.DEFAULT_CHANNEL };
}

/**
 * One transaction: quota check, the request, its stage rows, the idempotency key and the first task in the
 * outbox. Nothing touches the broker here; the relay publishes after commit, so an accepted request is never
 * lost to a broker outage and a rolled-back one is never sent.
 */
export async function submitRequest(
  deps: Pick<GatewayDeps, 'db' | 'config' | 'metrics' | 'alerts' | 'outbox'>,
  userId: string,
  body: CreateRequestBody,
  idempotencyKey: string | undefined,
  requestId: string = randomUUID(),
): Promise<{ request: RequestRow; replayed: boolean }> {
  const bodyHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  const result = await inTransaction(deps.db, async (tx) => {
    // Serialises one user's submissions so the quota count and the idempotency lookup cannot race.
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 42))', [userId]);
    if (idempotencyKey) {
      const existing = await findIdempotencyKey(tx, userId, idempotencyKey);
      if (existing && existing.body_hash !== bodyHash) throw new AppError('conflict', 'this Idempotency-Key was already used with a different request body');
      if (existing) {
        const request = await findRequest(tx, existing.request_id, userId);
        if (request) return { request, replayed: true };
      }
    }
    const window = quotaWindow();
    // After the lock, in its own statement: a snapshot taken before the lock could miss a rival's commit.
    const { daily_quota, used } = await quotaUsage(tx, userId, window.start);
    const quota = dailyQuotaOf({ daily_quota }, deps.config);
    if (used >= quota) {
      deps.metrics.quotaExceeded.inc();
      deps.alerts.raiseAlert({ kind: 'quota_exceeded', user_id: userId, daily_quota: quota });
      throw new AppError('quota_exceeded', `the daily quota of ${quota} content requests is used up; it resets at ${window.resetsAt.toISOString()}`, {
        headers: { 'Retry-After': String(Math.ceil((window.resetsAt.getTime() - Date.now()) / 1000)) },
      });
    }
    const channel = body.channel ?? defaultChannel(deps.config);
    const fields = { id: requestId, user_id: userId, topic: body.topic.trim(), audience: body.audience ?? null, tone: body.tone ?? 'neutral', length: body.length ?? 'medium', channel, trace_id: currentTraceId() } as const;
    const envelope = createEnvelope({
      request_id: requestId,
      user_id: userId,
      stage: 'research',
      payload: { brief: { topic: fields.topic, ...(fields.audience ? { audience: fields.audience } : {}), tone: fields.tone, length: fields.length }, channel },
    });
    const request = await insertRequestWithTask(tx, fields, { request_id: requestId, exchange_key: 'tasks', routing_key: 'research', message: envelope, headers: injectTraceHeaders() });
    if (idempotencyKey) await saveIdempotencyKey(tx, { user_id: userId, key: idempotencyKey, body_hash: bodyHash, request_id: request.id });
    return { request, replayed: false };
  });
  if (!result.replayed) {
    deps.metrics.requestsSubmitted.inc();
    void deps.outbox.wake();
  }
  return result;
}

/** Key order does not change a body's meaning, so it must not change its idempotency hash. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}
