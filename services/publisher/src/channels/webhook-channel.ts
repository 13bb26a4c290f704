import { createHash } from 'node:crypto';
import type { Config } from '@pressroom/config';
import { permanentError } from '@pressroom/contracts';
import {
  classifyHttpError,
  refuseRedirect,
  deriveWebhookSecret,
  endpointSecretContext,
  requestSecretContext,
  signWebhookBody,
  standardWebhookHeaders,
  type Breakers,
  type HttpClient,
} from '@pressroom/resilience';
import { parseJsonSafely, reportedUrl, type PublishChannel } from './channel.ts';

type WebhookSettings = Pick<Config, 'DEFAULT_WEBHOOK_URL' | 'WEBHOOK_SIGNING_SECRET'>;

/**
 * POSTs the article as signed JSON, by the Standard Webhooks specification (`webhook-id` is `msg_<request
 * id>`, the same on every attempt, so a receiver drops repeats by it or by `Idempotency-Key`). Each receiver
 * has its own secret, derived here from WEBHOOK_SIGNING_SECRET and the ids in the task (no database): a
 * registered endpoint's from its id and secret versions (two sign during a rotation's overlap), an ad-hoc
 * URL's from the request id. The master secret itself never signs a delivery.
 *
 * Deprecated, kept for one release: `X-Pressroom-Timestamp` / `X-Pressroom-Signature` (HMAC-SHA256 of
 * "<timestamp>.<body>", keyed with the same per-receiver `whsec_…` string).
 */
export function createWebhookChannel(deps: { config: WebhookSettings; http: HttpClient; breakers: Breakers }): PublishChannel {
  const { config, http, breakers } = deps;
  return {
    async publish(input) {
      const url = input.channel.url ?? config.DEFAULT_WEBHOOK_URL;
      const master = config.WEBHOOK_SIGNING_SECRET;
      if (!url) throw permanentError('channel_not_configured', 'webhook channel has no url and DEFAULT_WEBHOOK_URL is not set');
      if (!master) throw permanentError('channel_not_configured', 'WEBHOOK_SIGNING_SECRET is not set');
      const { endpoint_id: endpointId, secret_versions: versions } = input.channel;
      const secrets = endpointId
        ? (versions ?? [1]).map((v) => deriveWebhookSecret(master, endpointSecretContext(endpointId, v)))
        : [deriveWebhookSecret(master, requestSecretContext(input.request_id))];
      const { article } = input;
      const body = JSON.stringify({
        request_id: input.request_id,
        title: article.title,
        summary: article.summary,
        body_markdown: article.body_markdown,
        sources: article.sources,
        topic: input.brief.topic,
        published_at: input.published_at,
      });
      const signed = standardWebhookHeaders(`msg_${input.request_id}`, secrets, body);
      const timestamp = signed['webhook-timestamp'];
      const headers = {
        'content-type': 'application/json',
        ...signed,
        'x-pressroom-timestamp': timestamp,
        'x-pressroom-signature': signWebhookBody(secrets[0]!, timestamp, body),
        'idempotency-key': input.request_id,
        'x-pressroom-request-id': input.request_id,
      };
      // Classified inside the breaker so that only transient failures count against the receiver's health.
      const response = await breakers.call(
        webhookBreakerName(url, endpointId),
        () =>
          // Not followed: a 301/302 to another origin (http to https) would turn the POST into a GET without the
          // article, and a 200 to that GET would read as delivered.
          http
            .post(url, { body, headers, responseType: 'text', followRedirect: false })
            .then((res) => refuseRedirect(res, 'webhook'))
            .catch((err: unknown) => {
              throw classifyHttpError(err, 'webhook');
            }),
        { scope: 'target' },
      );
      return reportedUrl(response.headers.location, url) ?? reportedUrl(parseJsonSafely(response.body).url, url) ?? url;
    },
  };
}

/**
 * One breaker per receiver, not per host: many users' endpoints share a host (a hooks service, an automation
 * platform), and one user's broken endpoint must not stop the others' deliveries. A registered endpoint is named
 * by its id; an ad-hoc URL by a digest of it, because its path may hold a token that must reach no log or metric.
 */
function webhookBreakerName(url: string, endpointId: string | undefined): string {
  const receiver = endpointId ?? createHash('sha256').update(url).digest('hex').slice(0, 12);
  return `webhook:${new URL(url).host}:${receiver}`;
}
