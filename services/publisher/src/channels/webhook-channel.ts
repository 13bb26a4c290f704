import type { Config } from '@pressroom/config';
import { permanentError } from '@pressroom/contracts';
import { classifyHttpError, signWebhookBody, type Breakers, type HttpClient } from '@pressroom/resilience';
import { parseJsonSafely, reportedUrl, type PublishChannel } from './channel.ts';

type WebhookSettings = Pick<Config, 'DEFAULT_WEBHOOK_URL' | 'WEBHOOK_SIGNING_SECRET'>;

/**
 * POSTs the article as signed JSON. The receiver can check origin and freshness with `verifyWebhookSignature`,
 * and drop a repeat by `Idempotency-Key` (the request id, the same on every attempt).
 */
export function createWebhookChannel(deps: { config: WebhookSettings; http: HttpClient; breakers: Breakers }): PublishChannel {
  const { config, http, breakers } = deps;
  return {
    async publish(input) {
      const url = input.channel.url ?? config.DEFAULT_WEBHOOK_URL;
      const secret = config.WEBHOOK_SIGNING_SECRET;
      if (!url) throw permanentError('channel_not_configured', 'webhook channel has no url and DEFAULT_WEBHOOK_URL is not set');
      if (!secret) throw permanentError('channel_not_configured', 'WEBHOOK_SIGNING_SECRET is not set');
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
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'x-pressroom-timestamp': String(timestamp),
        'x-pressroom-signature': signWebhookBody(secret, timestamp, body),
        'idempotency-key': input.request_id,
        'x-pressroom-request-id': input.request_id,
      };
      // Classified inside the breaker so that only transient failures count against the host's health.
      const response = await breakers.call(`webhook:${new URL(url).host}`, () =>
        http.post(url, { body, headers, responseType: 'text' }).catch((err: unknown) => {
          throw classifyHttpError(err, 'webhook');
        }),
      );
      return reportedUrl(response.headers.location, url) ?? reportedUrl(parseJsonSafely(response.body).url, url) ?? url;
    },
  };
}
