import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { deriveWebhookSecret, endpointSecretContext, requestSecretContext, verifyWebhookSignature } from '@pressroom/resilience';
import { BASE_URLS, cleanupRedis, startHttpStub, testId, type HttpStub, type RecordedRequest } from '@pressroom/test-support';
import { alertWebhookSecret, createAlerter, sinksFromConfig, type AlertConfig } from '../src/index.ts';
import { capturedLogger, llmFailure, newMetrics, ready, testRedis } from './support/fixtures.ts';

const whsec = () => `whsec_${randomBytes(32).toString('base64')}`;

/** The standardwebhooks package's own verifier, as a receiver runs it; false instead of a throw. */
function verifies(secret: Webhook | string, req: RecordedRequest): boolean {
  const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
  try {
    (typeof secret === 'string' ? new Webhook(secret) : secret).verify(req.body, headers);
    return true;
  } catch {
    return false;
  }
}

describe('alert webhook signing: its own secret, never the master key', () => {
  const id = testId('alertsign');
  const redis = testRedis(BASE_URLS.redis, `test:${id}:`);
  let hook: HttpStub;

  before(async () => {
    [hook] = await Promise.all([startHttpStub(() => ({ status: 204 })), ready(redis)]);
  });

  after(async () => {
    await hook.close();
    redis.disconnect();
    await cleanupRedis(id);
  });

  /** Raises one alert through the services' alerter with `config`'s sinks and returns what the receiver got. */
  async function deliver(config: AlertConfig): Promise<RecordedRequest> {
    const seen = hook.requests.length;
    const alerter = createAlerter({
      service: 'llm',
      instance: 'llm-1:42',
      redis,
      logger: capturedLogger().logger,
      metrics: newMetrics(),
      sinks: sinksFromConfig(config),
      cooldownSeconds: 300,
    });
    await alerter.raise(llmFailure({ dedupe_key: randomUUID() }));
    assert.equal(await alerter.flush(10_000), true);
    await alerter.close(1000);
    assert.equal(hook.requests.length, seen + 1);
    return hook.requests[seen]!;
  }

  it("when only WEBHOOK_SIGNING_SECRET is set, then the alert verifies with the derived alert secret and with no other receiver's key", async () => {
    const master = randomBytes(48).toString('base64');
    const config = { ALERT_WEBHOOK_URL: `${hook.url}/alerts`, WEBHOOK_SIGNING_SECRET: master };
    const req = await deliver(config);
    const own = alertWebhookSecret(config);

    assert.equal(own?.source, 'derived from WEBHOOK_SIGNING_SECRET');
    assert.match(own.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.match(String(req.headers['webhook-id']), /^msg_alert_[\w-]{24}$/);
    assert.match(String(req.headers['webhook-timestamp']), /^\d{10}$/);
    assert.match(String(req.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+={0,2}$/);
    assert.equal(verifies(own.secret, req), true, "the alert receiver's own secret");

    assert.equal(verifies(master, req), false, 'the master key read as base64');
    assert.equal(verifies(new Webhook(master, { format: 'raw' }), req), false, "the master key's raw bytes");
    assert.equal(verifies(`whsec_${Buffer.from(master).toString('base64')}`, req), false, 'the master key as a whsec_ secret');
    assert.equal(verifies(deriveWebhookSecret(master, endpointSecretContext(randomUUID(), 1)), req), false, "a user endpoint's secret");
    assert.equal(verifies(deriveWebhookSecret(master, requestSecretContext(randomUUID())), req), false, "an ad-hoc request's secret");
  });

  it('when the deprecated X-Pressroom-Signature is checked, then it is keyed with the alert secret, not the master key', async () => {
    const master = randomBytes(48).toString('base64');
    const config = { ALERT_WEBHOOK_URL: `${hook.url}/alerts`, WEBHOOK_SIGNING_SECRET: master };
    const req = await deliver(config);
    const ts = String(req.headers['x-pressroom-timestamp']);
    const signature = String(req.headers['x-pressroom-signature']);

    assert.equal(ts, req.headers['webhook-timestamp']);
    assert.equal(verifyWebhookSignature(alertWebhookSecret(config)!.secret, ts, req.body, signature), true);
    assert.equal(verifyWebhookSignature(master, ts, req.body, signature), false, 'the master key never signs');
  });

  it('when ALERT_WEBHOOK_SECRET is set, then it signs instead of the derived secret, with or without the master key', async () => {
    const explicit = whsec();
    const master = randomBytes(48).toString('base64');
    const derived = alertWebhookSecret({ WEBHOOK_SIGNING_SECRET: master })!.secret;

    const withMaster = await deliver({ ALERT_WEBHOOK_URL: hook.url, ALERT_WEBHOOK_SECRET: explicit, WEBHOOK_SIGNING_SECRET: master });
    assert.equal(verifies(explicit, withMaster), true);
    assert.equal(verifies(derived, withMaster), false, 'the derived secret no longer signs');
    assert.equal(verifies(master, withMaster), false, 'nor the master key');

    // A service that only sends alerts can run without the master key at all.
    const alone = await deliver({ ALERT_WEBHOOK_URL: hook.url, ALERT_WEBHOOK_SECRET: explicit });
    assert.equal(verifies(explicit, alone), true);
  });

  it('when one delivery is sent twice (a retry), then both carry the same webhook-id; another alert gets another', async () => {
    const [sink] = sinksFromConfig({ ALERT_WEBHOOK_URL: hook.url, ALERT_WEBHOOK_SECRET: whsec() });
    const outgoing = { ...llmFailure(), service: 'llm', instance: 'i', time: new Date().toISOString(), suppressed: 0, cooldown_s: 300 };
    const seen = hook.requests.length;
    await sink!.send(outgoing, AbortSignal.timeout(5000));
    await sink!.send(outgoing, AbortSignal.timeout(5000));
    await sink!.send({ ...outgoing, suppressed: 3 }, AbortSignal.timeout(5000));
    const ids = hook.requests.slice(seen).map((r) => r.headers['webhook-id']);
    assert.equal(ids[0], ids[1]);
    assert.notEqual(ids[0], ids[2]);
  });

  it('when ALERT_WEBHOOK_URL is set with neither secret, then building the sinks fails and names both settings', () => {
    assert.throws(() => sinksFromConfig({ ALERT_WEBHOOK_URL: hook.url }), /ALERT_WEBHOOK_SECRET or WEBHOOK_SIGNING_SECRET is required/);
  });
});
