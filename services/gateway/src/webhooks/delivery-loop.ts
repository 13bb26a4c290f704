import type { Config } from '@pressroom/config';
import { withLogContext, type Logger } from '@pressroom/logger';
import { standardWebhookHeaders, type AddressPolicy, type HttpClient } from '@pressroom/resilience';
import type { Db } from '../db/pool.ts';
import { claimDueDeliveries, loadRequestOutcomes, recordDelivered, recordFailedAttempt, type ClaimedDelivery, type RequestOutcome } from './delivery-store.ts';
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
>;

export interface DeliveryLoop {
  targetPolicy: AddressPolicy;
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

const BATCH = 20;

/** Exponential backoff with ±20 % jitter: base·4^(n−1), never over `maxMs` (`n` is the attempt that just failed). */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 4 ** Math.max(0, attempt - 1));
  return Math.min(maxMs, Math.round(raw * (0.8 + 0.4 * random())));
}

/** The Standard Webhooks payload: `type`, `timestamp` (when the event happened) and `data`. */
function callbackBody(d: ClaimedDelivery, request: RequestOutcome | undefined): string {
  if (d.event_type === 'webhook.test' || !request) return JSON.stringify({ type: d.event_type, timestamp: d.created_at, data: { endpoint_id: d.endpoint_id } });
  return JSON.stringify({
    type: d.event_type,
    timestamp: request.updated_at,
    data: {
      request_id: request.id,
      status: request.status,
      topic: request.topic,
      title: request.title,
      published_url: request.published_url,
      error: request.error ?? null,
      created_at: request.created_at,
      links: { request: `/v1/requests/${request.id}` },
    },
  });
}

/**
 * The gateway delivers callbacks itself (it owns request state). Deliveries are rows written when a request
 * reaches a terminal status (migration 006's trigger); this loop, on every replica, claims the due ones, posts
 * them through the guarded client for user targets (SSRF policy on every attempt and redirect), and records
 * each attempt. It runs off the request path: publishing never waits for a callback.
 */
export function createDeliveryLoop(deps: { db: Db; http: HttpClient; targetPolicy: AddressPolicy; logger: Logger; config: Settings }): DeliveryLoop {
  const { db, http, logger, config } = deps;
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
    try {
      // Redirects are not followed: a 301/302 to another origin (http to https) would turn the POST into a GET
      // without the body, and a 200 to that GET would read as delivered.
      const res = await http.post(d.url, {
        body,
        headers,
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
        timeout: { request: config.WEBHOOK_TIMEOUT_MS },
      });
      statusCode = res.statusCode;
      if (statusCode >= 200 && statusCode < 300) {
        await recordDelivered(db, { id: d.id, endpointId: d.endpoint_id, statusCode });
        return;
      }
      error =
        statusCode >= 300 && statusCode < 400
          ? `the endpoint answered ${statusCode}, a redirect, which is not followed: register the URL it redirects to`
          : `the endpoint answered ${statusCode}`;
    } catch (err) {
      error =
        (err as { code?: string }).code === 'target_forbidden' || (err as Error).message.includes('forbidden')
          ? `refused by the outbound guard: ${(err as Error).message}`
          : (err as Error).message;
    }
    const retryAt = new Date(Date.now() + retryDelayMs(d.attempts + 1, config.WEBHOOK_RETRY_BASE_MS, config.WEBHOOK_RETRY_MAX_MS));
    const disabled = await recordFailedAttempt(db, {
      id: d.id,
      endpointId: d.endpoint_id,
      statusCode: statusCode && statusCode >= 100 && statusCode <= 599 ? statusCode : null,
      error,
      retryAt,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      disableAfter: config.WEBHOOK_DISABLE_AFTER_FAILURES,
    });
    logger.warn(
      { delivery_id: d.id, endpoint_id: d.endpoint_id, attempt: d.attempts + 1, status_code: statusCode, err: error },
      'webhook delivery attempt failed',
    );
    if (disabled) logger.warn({ endpoint_id: d.endpoint_id }, 'webhook endpoint disabled after consecutive failures');
  }

  async function runOnce(): Promise<void> {
    const master = config.WEBHOOK_SIGNING_SECRET;
    if (!master) return;
    for (;;) {
      const due = await claimDueDeliveries(db, BATCH, config.WEBHOOK_TIMEOUT_MS * 2 + 30_000);
      if (due.length === 0) return;
      const requests = await loadRequestOutcomes(
        db,
        due.flatMap((d) => (d.request_id ? [d.request_id] : [])),
      );
      // Each attempt's log lines name its request, like the rest of the request's work.
      await Promise.all(
        due.map((d) =>
          withLogContext(d.request_id ? { request_id: d.request_id } : {}, () => attempt(d, d.request_id ? requests.get(d.request_id) : undefined, master)),
        ),
      );
      if (stopped || due.length < BATCH) return;
    }
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = runOnce()
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
    },
  };
}
