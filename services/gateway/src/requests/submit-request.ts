import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Channel, type CreateRequestBody, type TaskChannel } from '@pressroom/contracts';
import { createEnvelope } from '@pressroom/messaging';
import { currentTraceId, injectTraceHeaders, tagContentRequest, withSpan } from '@pressroom/telemetry';
import type { Config } from '@pressroom/config';
import type { Db } from '../db/pool.ts';
import type { GatewayDeps } from '../deps.ts';
import { deleteExpiredIdempotencyKey } from './idempotency-repository.ts';
import type { LoadShedder } from './load-shedder.ts';
import { quotaWindow } from './quota.ts';
import type { RequestRow } from './request-repository.ts';
import { findKeyedSubmission, insertSubmission, isIdempotencyKeyTaken, type Submission, type SubmissionResult } from './submission-repository.ts';
import type { SubmissionBatches } from './submission-batches.ts';
import { checkWebhookTarget, resolveTaskChannel } from '../webhooks/task-channel.ts';

function defaultChannel(config: Config): Channel {
  if (config.DEFAULT_CHANNEL === 'webhook') return { type: 'webhook', url: config.DEFAULT_WEBHOOK_URL! };
  return { type: config.DEFAULT_CHANNEL };
}

/**
 * One statement (autocommit): quota, the request, its stage rows, the idempotency key and the first task in the
 * outbox (see SUBMIT_SQL). Nothing touches the broker here; the relay publishes after commit, so an accepted
 * request is never lost to a broker outage and a refused one is never sent. While the pipeline is behind, the
 * load shedder refuses before any of it.
 */
export async function submitRequest(
  deps: Pick<GatewayDeps, 'db' | 'config' | 'metrics' | 'alerts' | 'outbox' | 'deliveries'> & { loadShedder?: LoadShedder; submissions?: SubmissionBatches },
  userId: string,
  body: CreateRequestBody,
  idempotencyKey: string | undefined,
): Promise<{ request: RequestRow; replayed: boolean; quota?: { limit: number; used: number; resetsAt: Date } }> {
  const bodyHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  const channel = body.channel ?? defaultChannel(deps.config);
  let taskChannel: TaskChannel;
  try {
    await deps.loadShedder?.check();
    // A client's ad-hoc webhook URL meets the same target rules as a registered endpoint's (the operator's
    // DEFAULT_WEBHOOK_URL is theirs to choose).
    if (body.channel?.type === 'webhook' && body.channel.url) checkWebhookTarget(deps.deliveries.targetPolicy, body.channel.url, 'channel.url');
    taskChannel = await resolveTaskChannel(deps, userId, channel);
  } catch (err) {
    // A retry of a keyed submit gets the first request, whatever these checks say now (shed, endpoint disabled
    // since); only a refused submit pays for the lookup, the statement below replays the others.
    const prior = idempotencyKey && err instanceof AppError ? await findKeyedSubmission(deps.db, userId, idempotencyKey) : undefined;
    if (prior) return replay(prior, bodyHash);
    throw err;
  }
  const requestId = randomUUID();
  const window = quotaWindow();
  const fields = {
    id: requestId,
    user_id: userId,
    topic: body.topic.trim(),
    audience: body.audience ?? null,
    tone: body.tone ?? 'neutral',
    length: body.length ?? 'medium',
    channel,
    trace_id: currentTraceId(),
  } as const;
  const envelope = createEnvelope({
    request_id: requestId,
    user_id: userId,
    stage: 'research',
    payload: {
      brief: { topic: fields.topic, ...(fields.audience ? { audience: fields.audience } : {}), tone: fields.tone, length: fields.length },
      channel: taskChannel,
    },
  });
  const submission: Submission = {
    request: fields,
    task: { exchange_key: 'tasks', routing_key: 'research', message: envelope, headers: injectTraceHeaders() },
    defaultQuota: deps.config.DAILY_REQUEST_QUOTA,
    day: window.day,
    spendBudgetUsd: deps.config.DAILY_SPEND_BUDGET_USD,
    idempotency: idempotencyKey ? { key: idempotencyKey, bodyHash } : undefined,
  };
  const result = await withSpan('submit transaction', {}, async (span) => {
    // Without a key, concurrent submissions (of any users) share a statement and a commit (submission-batches.ts).
    const outcome = submission.idempotency || !deps.submissions ? await insertWithKeyRetries(deps.db, submission) : await deps.submissions.insert(submission);
    if ('request' in outcome) span.setAttribute('request_id', outcome.request.id);
    return outcome;
  });
  // The call serves this request from here on: the new one, or the first one when an idempotent key replays it.
  if ('request' in result) tagContentRequest(result.request.id);
  if (result.kind === 'quota_exceeded' || result.kind === 'spend_budget_exceeded') {
    const retryAfter = { headers: { 'Retry-After': String(Math.ceil((window.resetsAt.getTime() - Date.now()) / 1000)) } };
    if (result.kind === 'spend_budget_exceeded') {
      deps.metrics.quotaExceeded.inc({ quota: 'spend' });
      deps.alerts.raiseAlert({ kind: 'spend_budget_exceeded', user_id: userId, daily_budget_usd: result.budgetUsd, spent_today_usd: result.spentUsd });
      throw new AppError(
        'quota_exceeded',
        `the daily LLM spend budget of ${result.budgetUsd} USD is used up (${+result.spentUsd.toFixed(6)} USD spent today); it resets at ${window.resetsAt.toISOString()}`,
        retryAfter,
      );
    }
    deps.metrics.quotaExceeded.inc({ quota: 'requests' });
    deps.alerts.raiseAlert({ kind: 'quota_exceeded', user_id: userId, daily_quota: result.dailyQuota });
    throw new AppError(
      'quota_exceeded',
      `the daily quota of ${result.dailyQuota} content requests is used up; it resets at ${window.resetsAt.toISOString()}`,
      retryAfter,
    );
  }
  if (result.kind === 'replayed') return replay(result, bodyHash);
  deps.metrics.requestsSubmitted.inc();
  void deps.outbox.wake();
  return { request: result.request, replayed: false, quota: { ...result.quota, resetsAt: window.resetsAt } };
}

function replay(prior: { request: RequestRow; bodyHash: string }, bodyHash: string): { request: RequestRow; replayed: true } {
  if (prior.bodyHash !== bodyHash) throw new AppError('conflict', 'this Idempotency-Key was already used with a different request body');
  tagContentRequest(prior.request.id);
  return { request: prior.request, replayed: true };
}

/**
 * A submit that lost the race for its key (or met an expired one) is run again: the second run sees the
 * winner's key and replays it, or finds the expired key gone. Bounded, though two runs always suffice.
 */
async function insertWithKeyRetries(db: Db, submission: Submission): Promise<SubmissionResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await insertSubmission(db, submission);
    } catch (err) {
      if (!submission.idempotency || !isIdempotencyKeyTaken(err) || attempt >= 3) throw err;
      await deleteExpiredIdempotencyKey(db, submission.request.user_id, submission.idempotency.key);
    }
  }
}

/** Key order does not change a body's meaning, so it must not change its idempotency hash. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
