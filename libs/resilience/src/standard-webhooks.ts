import { hkdfSync } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Signing by the Standard Webhooks specification (https://www.standardwebhooks.com): `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * with `whsec_<base64 key>` secrets. The signing itself is the `standardwebhooks` package's, so receivers
 * can verify with any conforming library.
 *
 * No secret is stored anywhere: each receiver's is derived on demand with HKDF-SHA256 (RFC 5869) from the
 * master WEBHOOK_SIGNING_SECRET and a context naming the receiver, so no two receivers share a key and a
 * receiver's key says nothing about another's or about the master.
 */
const HKDF_SALT = 'pressroom/webhook-secret/v1';
const KEY_BYTES = 32;

export type SecretContext = `endpoint:${string}:v${number}` | `request:${string}` | `alert-webhook:v${number}`;

export const endpointSecretContext = (endpointId: string, version: number): SecretContext => `endpoint:${endpointId}:v${version}`;
export const requestSecretContext = (requestId: string): SecretContext => `request:${requestId}`;
/** The operator's alert webhook (ALERT_WEBHOOK_URL): one receiver, so one context; a new version is a new key. */
export const alertWebhookSecretContext = (version: number): SecretContext => `alert-webhook:v${version}`;

export function deriveWebhookSecret(master: string, context: SecretContext): string {
  const key = Buffer.from(hkdfSync('sha256', master, HKDF_SALT, context, KEY_BYTES));
  return `whsec_${key.toString('base64')}`;
}

export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The three headers for one message. Several secrets (a rotation's overlap window) give several signatures,
 * space-delimited as the specification allows, so a receiver holding either secret verifies. `messageId` is
 * the same on every retry of one message, so a receiver can drop repeats.
 */
export function standardWebhookHeaders(messageId: string, secrets: readonly string[], body: string, now: Date = new Date()): StandardWebhookHeaders {
  if (secrets.length === 0) throw new Error('at least one signing secret is needed');
  // The library signs with the timestamp it is given, rounded down to seconds; the header must say the same.
  const timestamp = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp.getTime() / 1000),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(messageId, timestamp, body)).join(' '),
  };
}

/** For receivers and tests: true when one of the signatures is valid for `secret` and the timestamp is fresh (5 min). */
export function verifyStandardWebhook(secret: string, body: string, headers: Record<string, string | string[] | undefined>): boolean {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') flat[k.toLowerCase()] = v;
  try {
    new Webhook(secret).verify(body, flat);
    return true;
  } catch {
    return false;
  }
}
