import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signature scheme (the Stripe/Slack pattern): HMAC-SHA256 over "<unix seconds>.<raw body>", sent as
 * `X-Pressroom-Signature: sha256=<hex>` beside `X-Pressroom-Timestamp`. Signing the timestamp lets a
 * receiver reject replays of an old captured request; signing the raw bytes avoids JSON re-serialisation drift.
 */
export function signWebhookBody(secret: string, timestamp: number | string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** For receivers: true only for a fresh timestamp and a matching signature, compared in constant time. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  rawBody: string,
  signatureHeader: string | undefined,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const ts = String(timestamp ?? '');
  if (!/^\d{1,12}$/.test(ts) || !signatureHeader) return false;
  if (Math.abs(nowSeconds - Number(ts)) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhookBody(secret, ts, rawBody));
  const given = Buffer.from(signatureHeader.trim());
  // timingSafeEqual needs equal lengths; the length of a well-formed signature is public anyway.
  return expected.length === given.length && timingSafeEqual(expected, given);
}
