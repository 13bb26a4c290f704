import { signWebhookBody, type HttpClient } from '@pressroom/resilience';
import { alertText } from '../format-alert.ts';
import type { AlertSink } from './sink.ts';

export function createWebhookSink(deps: { url: string; secret: string; http: HttpClient; now?: () => Date }): AlertSink {
  return {
    name: 'webhook',
    async send(alert, signal) {
      // Signed over the exact bytes sent, so the receiver verifies what it read, not a re-serialisation.
      const body = JSON.stringify({ type: 'alert', alert, text: alertText(alert) });
      const timestamp = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
      await deps.http.post(deps.url, {
        body,
        signal,
        headers: {
          'content-type': 'application/json',
          'x-pressroom-timestamp': String(timestamp),
          'x-pressroom-signature': signWebhookBody(deps.secret, timestamp, body),
        },
      });
    },
  };
}
