import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createNullAlerter } from '@pressroom/alerts';
import { createRedis, closeRedis, waitForRedis } from '@pressroom/cache';
import { TaskError, type TaskChannel } from '@pressroom/contracts';
import { createLogger } from '@pressroom/logger';
import { createEnvelope } from '@pressroom/messaging';
import { createBreakers } from '@pressroom/resilience';
import { createMetrics } from '@pressroom/telemetry';
import { cleanupRedis, startHttpStub, testConfig, testId, type HttpStub } from '@pressroom/test-support';
import { createPublishHandler } from '../../src/publish-handler.ts';
import { publishPayload } from './publisher-harness.ts';

describe('publisher webhook breakers: one per receiver (real Redis, stub receivers on one host)', () => {
  const id = testId('pubbreakers');
  const config = testConfig('publisher', id);
  const logger = createLogger({ service: 'publisher', level: 'silent' });
  const metrics = createMetrics('publisher');
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger);
  const breakers = createBreakers({ service: 'publisher', logger, metrics, redis });
  const handle = createPublishHandler({ config, logger, metrics, redis, breakers, alerts: createNullAlerter() });
  // One host for every receiver, as a hooks service or an automation platform serves many users' endpoints.
  let host: HttpStub;

  const deliver = (channel: TaskChannel) =>
    handle(createEnvelope({ request_id: randomUUID(), user_id: randomUUID(), stage: 'publish', payload: publishPayload(channel) }));
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'delivered',
      (err: unknown) => (err instanceof TaskError ? err.code : String(err)),
    );

  before(async () => {
    await waitForRedis(redis);
    host = await startHttpStub((req) => (req.path.startsWith('/broken') ? { status: 503 } : { status: 204 }));
  });

  after(async () => {
    breakers.close();
    await closeRedis(redis);
    await cleanupRedis(id);
    await host.close();
  });

  it('when one endpoint fails until its breaker opens, then other endpoints and URLs on the same host are still delivered', async () => {
    const broken = { type: 'webhook' as const, endpoint_id: randomUUID(), url: `${host.url}/broken` };
    const failures: string[] = [];
    for (let i = 0; i < 5; i++) failures.push(await code(deliver(broken)));
    assert.deepEqual(failures, Array(5).fill('upstream_503'));
    assert.equal(await code(deliver(broken)), 'breaker_open', 'the broken endpoint’s own breaker opened');
    const before = host.requests.length;

    assert.equal(await code(deliver({ type: 'webhook', endpoint_id: randomUUID(), url: `${host.url}/healthy` })), 'delivered', 'another endpoint');
    assert.equal(await code(deliver({ type: 'webhook', url: `${host.url}/ad-hoc` })), 'delivered', 'an ad-hoc URL');
    assert.equal(host.requests.length, before + 2);
  });

  it('when ad-hoc URLs on one host fail, then each URL has its own breaker, named without the URL’s path', async () => {
    const url = `${host.url}/broken/T0001/B0001/secret-token`;
    for (let i = 0; i < 5; i++) assert.equal(await code(deliver({ type: 'webhook', url })), 'upstream_503');
    assert.equal(await code(deliver({ type: 'webhook', url })), 'breaker_open');
    assert.equal(await code(deliver({ type: 'webhook', url: `${host.url}/broken/other` })), 'upstream_503', 'another URL is still tried');

    const series = (await metrics.registry.getSingleMetric('pressroom_breaker_state')?.get())?.values ?? [];
    const names = series.map((v) => String(v.labels.breaker)).filter((n) => n.startsWith('webhook:'));
    // A target's breaker is a series only while it is not closed: the two that opened, not the two healthy receivers.
    assert.equal(names.length, 2, `one series per open receiver: ${names.join(', ')}`);
    for (const name of names) {
      assert.match(name, new RegExp(`^webhook:${new URL(host.url).host.replaceAll('.', '\\.')}:[0-9a-f-]+$`));
      assert.ok(!name.includes('secret-token'), `the path stays out of ${name}`);
    }
  });
});
