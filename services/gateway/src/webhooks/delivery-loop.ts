import type { Config } from '@pressroom/config';
import { withLogContext, type Logger } from '@pressroom/logger';
import { standardWebhookHeaders, type AddressPolicy, type HttpClient } from '@pressroom/resilience';
import { inBackground } from '@pressroom/telemetry';
import type { Db } from '../db/pool.ts';
import { claimDueDeliveries, loadRequestOutcomes, recordDelivered, recordFailedAttempt, type ClaimedDelivery, type RequestOutcome } from './delivery-store.ts';
import type { AttemptOutcome, DeliveryMetrics } from './delivery-metrics.ts';
import { endpointSecret, signingVersions } from './webhook-secrets.ts';

type Settings = Pick<
  Config,
  | 'WEBHOOK_SIGNING_SECRET'
  | 'WEBHOOK_POLL_MS'
  | 'WEBHOOK_TIMEOUT_MS'
  | 'WEBHOOK_MAX_ATTEMPTS'
  | 'WEBHOOK_RETRY_BASE_MS'
  | 'WEBHOOK_RETRY_MAX_MS'
  | 'WEBHOOK_DISABLE_AFTER_FAILURES'
  | 'WEBHOOK_DISABLE_AFTER_S'
>;

export interface DeliveryLoop {
  targetPolicy: AddressPolicy;
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

/** Attempts in flight per replica; each endpoint has at most one of them (claimDueDeliveries). */
const SLOTS = 20;

/** Exponential backoff with ±20 % jitter: base·4^(n−1), never over `maxMs` (`n` is the attempt that just failed). */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 4 ** Math.max(0, attempt - 1));
  return Math.min(maxMs, Math.round(raw * (0.8 + 0.4 * random())));
}

/**
 * The Standard Webhooks payload: `type`, `timestamp` (when the event happened) and `data`. The event's status,
 * error and published URL are the ones the trigger kept when it happened (ClaimedDelivery.event), so every attempt
 * sends the same message whatever became of the request since (a replay); what never changes (topic, creation) and
 * the article's title (written once, when the write stage completes) are read from the request. Rows from before migration
 * 014 have no snapshot and are sent as the request is now.
 */
function callbackBody(d: ClaimedDelivery, request: RequestOutcome | undefined): string {
  if (d.event_type === 'webhook.test' || !request) return JSON.stringify({ type: d.event_type, timestamp: d.created_at, data: { endpoint_id: d.endpoint_id } });
  const event = d.event ?? { status: request.status, error: request.error, published_url: request.published_url, at: request.updated_at };
  return JSON.stringify({
    type: d.event_type,
    timestamp: event.at,
    data: {
      request_id: request.id,
      status: event.status,
      topic: request.topic,
      title: request.title,
      published_url: event.published_url ?? null,
      error: event.error ?? null,
      created_at: request.created_at,
      links: { request: `/v1/requests/${request.id}` },
    },
  });
}

/**
 * POSTs and resolves with the status line's code as soon as it arrives; the answer's body is never read. A receiver
 * that answers 200 with a large page (or trickles it out) has taken the callback: reading it would turn a delivered
 * callback into a failed attempt and a duplicate on the retry.
 */
function postForStatus(http: HttpClient, url: string, options: { body: string; headers: Record<string, string>; timeoutMs: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    // Redirects are not followed: a 301/302 to another origin (http to https) would turn the POST into a GET
    // without the body, and a 200 to that GET would read as delivered.
    const stream = http.stream.post(url, {
      body: options.body,
      headers: options.headers,
      throwHttpErrors: false,
      followRedirect: false,
      timeout: { request: options.timeoutMs },
    });
    // Kept for the stream's life: destroying it after the status line may still emit an error, which is no news.
    stream.on('error', reject);
    stream.once('response', (res: { statusCode: number }) => {
      resolve(res.statusCode);
      stream.destroy();
    });
  });
}

const NOT_PUBLIC =
  'refused by the outbound guard, or the host name does not resolve: the URL must be http(s) without credentials, and resolve to a public address (not private, loopback, link-local or metadata); callbacks go to public addresses only';
// getaddrinfo's "no such name" codes.
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME']);

/**
 * What the endpoint's owner reads of a refusal by the outbound guard, or of a name that does not resolve: one
 * message for both, never the address a name resolved to, so that the deliveries log cannot be used to tell which
 * names exist on the gateway's network (an internal one refused, a made-up one unresolved).
 */
function publicTargetError(err: unknown): { guarded: boolean; message: string } | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  if (e.code === 'target_forbidden' || e.cause?.code === 'target_forbidden') return { guarded: true, message: NOT_PUBLIC };
  if (UNRESOLVED.has(e.code ?? '') || UNRESOLVED.has(e.cause?.code ?? '')) return { guarded: false, message: NOT_PUBLIC };
  return undefined;
}

/**
 * The gateway delivers callbacks itself (it owns request state). Deliveries are rows written when a request
 * reaches a terminal status (migration 006's trigger); this loop, on every replica, claims the due ones, posts
 * them through the guarded client for user targets (SSRF policy on every attempt and redirect), and records
 * each attempt. It runs off the request path: publishing never waits for a callback.
 */
export function createDeliveryLoop(deps: {
  db: Db;
  http: HttpClient;
  targetPolicy: AddressPolicy;
  logger: Logger;
  config: Settings;
  metrics: DeliveryMetrics;
}): DeliveryLoop {
  const { db, http, logger, config, metrics } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function attempt(d: ClaimedDelivery, request: RequestOutcome | undefined, master: string): Promise<void> {
    const body = callbackBody(d, request);
    const secrets = signingVersions(d).map((v) => endpointSecret(master, d.endpoint_id, v));
    const headers = { 'content-type': 'application/json', ...standardWebhookHeaders(`msg_${d.id}`, secrets, body) };
    let statusCode: number | null = null;
    let error: string;
    let outcome: AttemptOutcome;
    try {
      statusCode = await postForStatus(http, d.url, { body, headers, timeoutMs: config.WEBHOOK_TIMEOUT_MS });
      outcome = statusCode >= 200 && statusCode < 300 ? 'delivered' : 'rejected';
      error =
        statusCode >= 300 && statusCode < 400
          ? `the endpoint answered ${statusCode}, a redirect, which is not followed: register the URL it redirects to`
          : `the endpoint answered ${statusCode}`;
    } catch (err) {
      // The guard's or the resolver's own message (with the resolved address, or the name) goes to the server log only.
      const target = publicTargetError(err);
      if (target?.guarded) logger.warn({ delivery_id: d.id, endpoint_id: d.endpoint_id, err }, 'webhook target refused by the outbound guard');
      outcome = target?.guarded ? 'refused' : 'unreachable';
      error = target?.message ?? (err as Error).message;
    }
    metrics.attempted(outcome);
    if (outcome === 'delivered') {
      // Delivered. Should this write fail, the lease runs out and the callback is sent again (at least once), but
      // no failed attempt is counted against an endpoint that answered 2xx.
      metrics.finished('delivered');
      await recordDelivered(db, { id: d.id, endpointId: d.endpoint_id, statusCode: statusCode!, attempts: d.attempts });
      return;
    }
    const retryAt = new Date(Date.now() + retryDelayMs(d.attempts + 1, config.WEBHOOK_RETRY_BASE_MS, config.WEBHOOK_RETRY_MAX_MS));
    const { disabled, failed } = await recordFailedAttempt(db, {
      id: d.id,
      endpointId: d.endpoint_id,
      statusCode: statusCode && statusCode >= 100 && statusCode <= 599 ? statusCode : null,
      error,
      retryAt,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      disableAfter: config.WEBHOOK_DISABLE_AFTER_FAILURES,
      disableAfterS: config.WEBHOOK_DISABLE_AFTER_S,
      attempts: d.attempts,
    });
    logger.warn(
      { delivery_id: d.id, endpoint_id: d.endpoint_id, attempt: d.attempts + 1, status_code: statusCode, err: error },
      'webhook delivery attempt failed',
    );
    if (failed) metrics.finished('failed');
    if (disabled) {
      metrics.endpointDisabled();
      logger.warn({ endpoint_id: d.endpoint_id }, 'webhook endpoint disabled after consecutive failures');
    }
  }

  // Attempts in flight on this replica, by delivery id, with their endpoint. Each frees its slot when it ends and
  // asks for the next claim: one slow receiver holds one slot, not a batch of twenty.
  const inFlight = new Map<string, { endpointId: string; done: Promise<void> }>();

  async function fillSlots(): Promise<void> {
    const master = config.WEBHOOK_SIGNING_SECRET;
    if (!master) return;
    for (;;) {
      const free = SLOTS - inFlight.size;
      if (stopped || free <= 0) return;
      const busy = [...new Set([...inFlight.values()].map((a) => a.endpointId))];
      const due = await claimDueDeliveries(db, free, config.WEBHOOK_TIMEOUT_MS * 2 + 30_000, busy);
      if (due.length === 0) return;
      const requests = await loadRequestOutcomes(
        db,
        due.flatMap((d) => (d.request_id ? [d.request_id] : [])),
      );
      for (const d of due) {
        // Each attempt's log lines and spans name its request and the endpoint's owner, like the rest of their work.
        const done = withLogContext({ user_id: d.user_id, ...(d.request_id ? { request_id: d.request_id } : {}) }, () =>
          attempt(d, d.request_id ? requests.get(d.request_id) : undefined, master).catch((err: unknown) =>
            logger.warn({ err, delivery_id: d.id }, 'webhook delivery attempt could not be recorded; it is retried when its lease ends'),
          ),
        ).finally(() => {
          inFlight.delete(d.id);
          run();
        });
        inFlight.set(d.id, { endpointId: d.endpoint_id, done });
      }
      if (due.length < free) return;
    }
  }

  // Woken by API calls (a new endpoint, a test event) and re-armed by each attempt as it ends: every round starts
  // outside the context it was called from, or the loop would go on as part of the call that last woke it.
  function run(): void {
    inBackground(runRound);
  }

  function runRound(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = fillSlots()
      .catch((err: unknown) => logger.warn({ err }, 'webhook delivery round failed; retrying on the next poll'))
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (again) {
          again = false;
          setImmediate(run);
        } else timer = setTimeout(run, config.WEBHOOK_POLL_MS);
      });
  }

  return {
    targetPolicy: deps.targetPolicy,
    start: run,
    wake: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await Promise.all([...inFlight.values()].map((a) => a.done));
    },
  };
}
