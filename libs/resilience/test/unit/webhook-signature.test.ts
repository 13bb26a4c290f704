import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signWebhookBody, verifyWebhookSignature } from '../../src/webhook-signature.ts';

const secret = 'a-test-signing-secret-that-is-long-enough-0123456789';
const body = JSON.stringify({ request_id: 'r1', title: 'T' });
const now = Math.floor(Date.now() / 1000);

describe('webhook signature', () => {
  it('when signed, then it is sha256=<hex HMAC of "timestamp.body">', () => {
    const hex = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    assert.equal(signWebhookBody(secret, now, body), `sha256=${hex}`);
  });

  it('when body, timestamp and secret match, then it verifies', () => {
    assert.equal(verifyWebhookSignature(secret, String(now), body, signWebhookBody(secret, now, body)), true);
  });

  it('when the body was tampered with, then it does not verify', () => {
    const sig = signWebhookBody(secret, now, body);
    assert.equal(verifyWebhookSignature(secret, now, body.replace('T', 'X'), sig), false);
  });

  it('when signed with another secret, then it does not verify', () => {
    assert.equal(verifyWebhookSignature(secret, now, body, signWebhookBody(`${secret}-other`, now, body)), false);
  });

  it('when the timestamp is older than the tolerance, then it does not verify even with a valid signature', () => {
    const old = now - 301;
    assert.equal(verifyWebhookSignature(secret, old, body, signWebhookBody(secret, old, body)), false);
    assert.equal(verifyWebhookSignature(secret, old, body, signWebhookBody(secret, old, body), 600), true);
  });

  it('when the timestamp header was changed, then it does not verify', () => {
    assert.equal(verifyWebhookSignature(secret, now + 1, body, signWebhookBody(secret, now, body)), false);
  });

  it('when the signature or timestamp is missing or malformed, then it does not verify', () => {
    assert.equal(verifyWebhookSignature(secret, undefined, body, signWebhookBody(secret, now, body)), false);
    assert.equal(verifyWebhookSignature(secret, now, body, undefined), false);
    assert.equal(verifyWebhookSignature(secret, now, body, 'sha256=abc'), false);
    assert.equal(verifyWebhookSignature(secret, '1e9', body, signWebhookBody(secret, '1e9', body)), false);
  });
});
