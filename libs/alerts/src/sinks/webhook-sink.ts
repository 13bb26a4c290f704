import { createHash } from 'node:crypto';
import { signWebhookBody, standardWebhookHeaders, type HttpClient } from '@pressroom/resilience';
import { alertText } from '../format-alert.ts';
import type { AlertSink } from './sink.ts';

/**
 * POSTs the alert as JSON signed by the Standard Webhooks specification with the alert receiver's own `whsec_`
 * secret (see alertWebhookSecret). `webhook-id` is a digest of the body, so every retry of one delivery carries
 * the same id and a receiver can drop repeats.
 *
 * Deprecated, kept for one release: `X-Pressroom-Timestamp` / `X-Pressroom-Signature` (HMAC-SHA256 of
 * "<timestamp>.<body>"), keyed with the same `whsec_…` string, no longer with WEBHOOK_SIGNING_SECRET.
 */
export function createWebhookSink(deps: { url: string; secret: string; http: HttpClient; now?: () => Date }): AlertSink {
  return {
    name: 'webhook',
    async send(alert, signal) {
      // Signed over the exact bytes sent, so the receiver verifies what it read, not a re-serialisation.
      const body = JSON.stringify({ type: 'alert', alert, text: alertText(alert) });
      const messageId = `msg_alert_${createHash('sha256').update(body).digest('base64url').slice(0, 24)}`;
      const signed = standardWebhookHeaders(messageId, [deps.secret], body, deps.now?.() ?? new Date());
      await deps.http.post(deps.url, {
        body,
        signal,
        headers: {
          'content-type': 'application/json',
          ...signed,
          'x-pressroom-timestamp': signed['webhook-timestamp'],
          'x-pressroom-signature': signWebhookBody(deps.secret, signed['webhook-timestamp'], body),
        },
      });
    },
  };
}
