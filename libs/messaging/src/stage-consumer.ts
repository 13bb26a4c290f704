import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Envelope, Stage, StageError, StageEvent, StageResult, TaskPayloads } from '@pressroom/contracts';
import { nextStage, publicStageError } from '@pressroom/contracts';
import { withLogContext, type Logger } from '@pressroom/logger';
import { extractTraceContext, type Metrics } from '@pressroom/telemetry';
import type { Broker, Delivery } from './broker.ts';
import { createEnvelope, derivedMessageId, parseEnvelope } from './envelope.ts';
import { DEFERRALS_HEADER, publishDeadLetter, publishDelayed, publishEvent, publishTask } from './publishers.ts';
import { delayLevels, scheduleRetry, type RetryPolicy } from './retry-policy.ts';

export interface StageOutcome<S extends Stage> {
  /** Payload of the next stage's task; absent for the last stage. */
  next?: S extends 'research' ? TaskPayloads['write'] : S extends 'write' ? TaskPayloads['publish'] : never;
  result?: StageResult;
}

/** `signal` aborts when the request is cancelled while the stage runs; a handler that can abandon its work (the llm's call) passes it on. */
export type StageHandler<S extends Stage> = (task: Envelope<TaskPayloads[S]>, context?: { signal: AbortSignal }) => Promise<StageOutcome<S>>;

/** Remembers which task messages were completed, so a redelivery is acknowledged without redoing work. */
export interface DedupeStore {
  isDone(messageId: string): Promise<boolean>;
  markDone(messageId: string): Promise<void>;
  /** `isDone` and "was the request cancelled" in one round trip; without it no cancel is ever seen. */
  beforeStart?(messageId: string, requestId: string): Promise<{ done: boolean; cancelled: boolean }>;
}

/** Cancel notices for stages already running (see @pressroom/cache createCancelWatch). */
export interface CancelWatch {
  watch(requestId: string): { signal: AbortSignal; stop(): void };
}

export interface StageConsumerDeps<S extends Stage> {
  broker: Broker;
  stage: S;
  handle: StageHandler<S>;
  retry: RetryPolicy;
  logger: Logger;
  metrics: Metrics;
  dedupe: DedupeStore;
  cancels?: CancelWatch;
  /**
   * How long a stage may run before its `started` event is sent (0: at once). A stage that settles sooner sends
   * only its `completed`, `retrying` or `failed` event, whose `at` and `duration_ms` say when it started: one
   * broker message per stage instead of two for the fast stages, and the tracker infers the start.
   */
  startedEventDelayMs?: number;
  /** Deferrals (open breaker) after which a task starts spending attempts, so a long outage still ends in a dead letter. */
  maxDeferrals?: number;
  /** Observers for alerting; messaging itself knows nothing of alert sinks. */
  onDeadLetter?: (task: { request_id: string; user_id: string; attempt: number }, error: StageError, reason: string) => void;
  onCompleted?: (task: { request_id: string; user_id: string; attempt: number }, durationMs: number) => void;
  onFailed?: (task: { request_id: string; user_id: string; attempt: number }, error: StageError, willRetry: boolean) => void;
}

const tracer = trace.getTracer('pressroom.messaging');

/**
 * The queue entry point of a worker: validate, run the use case, then hand on, retry or dead-letter.
 * Every branch publishes (with confirms) before it acks, so a crash at any point means a redelivery, never a loss.
 */
export async function consumeStage<S extends Stage>(deps: StageConsumerDeps<S>): Promise<void> {
  const { broker, stage } = deps;
  await broker.consume(broker.names.work(stage), (delivery) => handleDelivery(deps, delivery));
}

async function handleDelivery<S extends Stage>(deps: StageConsumerDeps<S>, delivery: Delivery): Promise<void> {
  const { broker, stage, logger, metrics } = deps;
  const parsed = parseEnvelope(stage, delivery.message.content);
  if (!parsed.ok) {
    const detail = parsed.errors.map((e) => `${e.field} ${e.message}`).join('; ');
    await withLogContext({ stage, ...(parsed.request_id ? { request_id: parsed.request_id } : {}) }, async () => {
      logger.warn({ errors: parsed.errors }, `invalid ${stage} task dead-lettered: ${detail}`);
      await publishDeadLetter(broker, stage, delivery.message.content, { reason: 'invalid_message', detail, attempts: 1 });
      metrics.deadLetters.inc({ stage, reason: 'invalid_message' });
      if (parsed.request_id && parsed.user_id)
        await publishEvent(broker, {
          message_id: 'invalid',
          request_id: parsed.request_id,
          user_id: parsed.user_id,
          stage,
          type: 'failed',
          attempt: 1,
          error: publicStageError(stage, { code: 'invalid_message', message: detail }),
        });
    });
    delivery.ack();
    return;
  }
  const task = parsed.envelope;
  const parent = extractTraceContext(delivery.message.properties.headers);
  // The log context comes first: the span processor tags this span and every span under it with its ids.
  await context.with(parent, () =>
    withLogContext({ request_id: task.request_id, user_id: task.user_id, stage }, () =>
      tracer.startActiveSpan(
        `${stage} process`,
        { kind: SpanKind.CONSUMER, attributes: { 'pressroom.attempt': task.attempt, 'messaging.message.id': task.message_id } },
        async (span) => {
          try {
            await runTask(deps, task, delivery);
          } catch (err) {
            span.recordException(err as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw err;
          } finally {
            span.end();
          }
        },
      ),
    ),
  );
}

async function runTask<S extends Stage>(deps: StageConsumerDeps<S>, task: Envelope<TaskPayloads[S]>, delivery: Delivery): Promise<void> {
  const { broker, stage, logger, metrics, dedupe } = deps;
  const gate = dedupe.beforeStart
    ? await dedupe.beforeStart(task.message_id, task.request_id)
    : { done: await dedupe.isDone(task.message_id), cancelled: false };
  if (gate.done) {
    logger.info({ message_id: task.message_id }, 'duplicate task skipped');
    delivery.ack();
    return;
  }
  const ids = eventIds(task, stage);
  // The stage boundary: a cancelled request goes no further, and says where it stopped.
  if (gate.cancelled) {
    await stopCancelled(deps, ids);
    delivery.ack();
    return;
  }
  metrics.taskAge.observe({ stage }, Math.max(0, Date.now() - Date.parse(task.enqueued_at)) / 1000);
  // Confirms are awaited together before the ack, not one after another: the channel keeps the publish order,
  // and a crash before the ack only means a redelivery.
  const startedEvent = announceStart(deps, { ...ids, type: 'started', at: new Date().toISOString() });
  const started = performance.now();
  const cancel = deps.cancels?.watch(task.request_id);
  let outcome: StageOutcome<S>;
  try {
    outcome = await deps.handle(task, { signal: cancel?.signal ?? NEVER });
  } catch (err) {
    await startedEvent.settle();
    const duration_ms = Math.round(performance.now() - started);
    if (cancel?.signal.aborted) {
      await stopCancelled(deps, ids, duration_ms);
      delivery.ack();
      return;
    }
    metrics.stageDuration.observe({ stage, outcome: 'failure' }, duration_ms / 1000);
    const deferrals = Number(delivery.message.properties.headers?.[DEFERRALS_HEADER] ?? 0) || 0;
    await settleFailure(deps, task, err, duration_ms, deferrals);
    delivery.ack();
    return;
  } finally {
    cancel?.stop();
  }
  const duration_ms = Math.round(performance.now() - started);
  const next = nextStage(stage);
  // Cancelled while a handler that does not listen for the signal ran (research): its work goes no further, so the
  // next stage is never queued (its own boundary check lets work through while Redis is away). The last stage's
  // work is done (the article is out), so it completes as it is.
  if (cancel?.signal.aborted && next && outcome.next) {
    await startedEvent.settle();
    await stopCancelled(deps, ids, duration_ms);
    delivery.ack();
    return;
  }
  const handOn =
    next && outcome.next
      ? publishTask(
          broker,
          createEnvelope({
            request_id: task.request_id,
            user_id: task.user_id,
            stage: next,
            payload: outcome.next,
            message_id: derivedMessageId(task.message_id, next),
            run: task.run,
          }),
        )
      : undefined;
  await Promise.all([
    startedEvent.settle(),
    handOn,
    publishEvent(broker, { ...ids, type: 'completed', duration_ms, ...(outcome.result ? { result: outcome.result } : {}) }),
  ]);
  await dedupe.markDone(task.message_id);
  metrics.stageDuration.observe({ stage, outcome: 'success' }, duration_ms / 1000);
  metrics.tasks.inc({ stage, outcome: 'completed' });
  deps.onCompleted?.(task, duration_ms);
  logger.info({ duration_ms, attempt: task.attempt }, `${stage} completed`);
  delivery.ack();
}

const NEVER = new AbortController().signal;

type EventIds<S extends Stage> = Pick<StageEvent, 'message_id' | 'request_id' | 'user_id' | 'attempt' | 'run'> & { stage: S };

/** What every event of a task says about it; `run` only when the task is a replay's (Envelope.run). */
function eventIds<S extends Stage>(task: Envelope<TaskPayloads[S]>, stage: S): EventIds<S> {
  return {
    message_id: task.message_id,
    request_id: task.request_id,
    user_id: task.user_id,
    stage,
    attempt: task.attempt,
    ...(task.run ? { run: task.run } : {}),
  };
}

/** The task is acknowledged without a next task; the `cancelled` event ends the request (the tracker records it). */
async function stopCancelled<S extends Stage>(deps: StageConsumerDeps<S>, ids: EventIds<S>, duration_ms?: number): Promise<void> {
  await publishEvent(deps.broker, { ...ids, type: 'cancelled', ...(duration_ms !== undefined ? { duration_ms } : {}) });
  deps.metrics.tasks.inc({ stage: ids.stage, outcome: 'cancelled' });
  deps.logger.info(
    { attempt: ids.attempt, ...(duration_ms !== undefined ? { duration_ms } : {}) },
    `${ids.stage} not ${duration_ms === undefined ? 'started' : 'finished'}: the request was cancelled`,
  );
}

/**
 * Sends the `started` event now, or after `startedEventDelayMs` if the stage is still running then. `settle()`
 * cancels a send that has not begun and waits for one that has (its confirm must precede the task's ack).
 */
function announceStart<S extends Stage>(deps: StageConsumerDeps<S>, event: Parameters<typeof publishEvent>[1]): { settle(): Promise<void> } {
  const delay = deps.startedEventDelayMs ?? 0;
  let sent: Promise<void> | undefined;
  const send = () => {
    sent = publishEvent(deps.broker, event);
    sent.catch(() => undefined);
  };
  if (delay <= 0) {
    send();
    return { settle: () => sent! };
  }
  const timer = setTimeout(send, delay);
  return {
    settle: () => {
      clearTimeout(timer);
      return sent ?? Promise.resolve();
    },
  };
}

async function settleFailure<S extends Stage>(
  deps: StageConsumerDeps<S>,
  task: Envelope<TaskPayloads[S]>,
  err: unknown,
  duration_ms: number,
  deferrals: number,
): Promise<void> {
  const { broker, stage, logger, metrics, retry } = deps;
  const failure = describeFailure(err);
  // The dependency asked for a longer wait (Retry-After) than the longest backoff can give: the retry comes early
  // through no fault of the task, so it is a deferral, not a spent attempt (an API's "come back in 10 minutes"
  // would otherwise spend every attempt inside a few minutes and dead-letter the task).
  if (failure.transient && failure.retryAfterMs !== undefined && failure.retryAfterMs > Math.max(...delayLevels(retry))) failure.consumeAttempt = false;
  if (!failure.consumeAttempt && deferrals >= (deps.maxDeferrals ?? 30)) failure.consumeAttempt = true;
  const ids = eventIds(task, stage);
  const attemptsLeft = task.attempt < retry.maxAttempts || !failure.consumeAttempt;
  // Users read the event (stages[].error); the thrown message (an address, a path, an upstream body) stays
  // in this log line and on the stage's span, where only operators look.
  const shown = publicStageError(stage, failure.error);
  const span = trace.getActiveSpan();
  span?.recordException(err as Error);
  span?.setAttribute('pressroom.error.code', failure.error.code);
  deps.onFailed?.(task, failure.error, failure.transient && attemptsLeft);
  if (failure.transient && attemptsLeft) {
    const nextAttempt = failure.consumeAttempt ? task.attempt + 1 : task.attempt;
    const { level, delayMs } = scheduleRetry(retry, task.attempt, failure.retryAfterMs);
    // Enqueued when it is due back in the work queue: the task-age histogram (and its alert) measures waiting for
    // a worker, not the backoff, as the gateway's load shedder does.
    await publishDelayed(
      broker,
      { ...task, attempt: nextAttempt, enqueued_at: new Date(Date.now() + delayMs).toISOString() },
      level,
      delayMs,
      failure.consumeAttempt ? deferrals : deferrals + 1,
    );
    await publishEvent(broker, { ...ids, type: 'retrying', duration_ms, retry_in_ms: delayMs, error: shown });
    metrics.retries.inc({ stage, reason: failure.error.code });
    metrics.tasks.inc({ stage, outcome: 'retried' });
    logger.warn({ err, attempt: task.attempt, retry_in_ms: delayMs, code: failure.error.code }, `${stage} failed, retrying`);
    return;
  }
  const reason = failure.transient ? 'retries_exhausted' : failure.error.code;
  await publishDeadLetter(broker, stage, task, { reason, detail: `${failure.error.code}: ${failure.error.message}`, attempts: task.attempt });
  await publishEvent(broker, { ...ids, type: 'failed', duration_ms, error: shown });
  metrics.deadLetters.inc({ stage, reason: failure.transient ? 'retries_exhausted' : 'permanent' });
  metrics.tasks.inc({ stage, outcome: 'failed' });
  deps.onDeadLetter?.(task, failure.error, reason);
  logger.error({ err, attempt: task.attempt, code: failure.error.code }, `${stage} failed permanently, dead-lettered`);
}

function describeFailure(err: unknown): { transient: boolean; consumeAttempt: boolean; retryAfterMs: number | undefined; error: StageError } {
  const e = err as { code?: unknown; message?: unknown; transient?: unknown; retryAfterMs?: unknown; consumeAttempt?: unknown };
  const code = typeof e?.code === 'string' && /^[a-z0-9_.-]{1,100}$/i.test(e.code) ? e.code : 'internal';
  const message = typeof e?.message === 'string' ? e.message.slice(0, 2000) : String(err).slice(0, 2000);
  return {
    // Unclassified errors are retried: a bounded number of attempts costs less than losing a request to a blip.
    transient: e?.transient !== false,
    consumeAttempt: e?.consumeAttempt !== false,
    retryAfterMs: typeof e?.retryAfterMs === 'number' ? e.retryAfterMs : undefined,
    error: { code, message },
  };
}
