import { createNullAlerter } from '@pressroom/alerts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRedis, closeRedis, waitForRedis } from '@pressroom/cache';
import { TaskError } from '@pressroom/contracts';
import { createLogger } from '@pressroom/logger';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import { createBreakers } from '@pressroom/resilience';
import { createMetrics } from '@pressroom/telemetry';
import { startHttpStub, testConfig, testId, type HttpStub } from '@pressroom/test-support';
import { createPublishHandler } from '../../src/publish-handler.ts';
import { publishPayload, startPublisher } from './publisher-harness.ts';

describe('publisher idempotency: a request is posted once (real RabbitMQ and Redis)', () => {
  let p: Awaited<ReturnType<typeof startPublisher>>;
  let receiver: HttpStub;
  const postsFor = (rid: string) => receiver.requests.filter((r) => r.headers['idempotency-key'] === rid).length;

  before(async () => {
    receiver = await startHttpStub((req) => ({
      status: 201,
      headers: { location: `/posts/${String(req.headers['idempotency-key'])}` },
      delayMs: req.path === '/slow' ? 300 : 0,
    }));
    p = await startPublisher('pubonce');
  });

  after(async () => {
    await p.close();
    await receiver.close();
  });

  it('when the same message is delivered again, or another message of the same request arrives, then the receiver got one POST', async () => {
    const payload = publishPayload({ type: 'webhook', url: `${receiver.url}/hook` });
    const first = p.envelope(payload);
    await publishTask(p.worker.broker, first);
    const done = await p.completed(first);
    await publishTask(p.worker.broker, first);
    const second = await p.submit(payload, first.request_id);
    assert.notEqual(second.message_id, first.message_id);
    const again = await p.completed(second);
    // Deliveries come in queue order, so a later task completing gives the redelivered `first` its turn first.
    await p.completed(await p.submit(publishPayload({ type: 'webhook', url: `${receiver.url}/other` })));
    assert.equal(again.result?.published_url, done.result?.published_url);
    assert.equal(postsFor(first.request_id), 1);
    const redis = createRedis(p.config.REDIS_URL, p.config.REDIS_KEY_PREFIX, createLogger({ service: 'test', level: 'silent' }));
    try {
      await waitForRedis(redis);
      assert.equal(await redis.get(`published:${first.request_id}`), done.result?.published_url);
      assert.ok((await redis.ttl(`published:${first.request_id}`)) > 29 * 24 * 3600, 'the marker outlives any retry');
      assert.equal(await redis.exists(`publishing:${first.request_id}`), 0, 'the in-flight lock was released');
    } finally {
      await closeRedis(redis);
    }
  });

  it('when two messages of one request are handled at the same time, then only one POST is made', async () => {
    const payload = publishPayload({ type: 'webhook', url: `${receiver.url}/slow` });
    const a = p.envelope(payload);
    const b = p.envelope(payload, a.request_id);
    await Promise.all([publishTask(p.worker.broker, a), publishTask(p.worker.broker, b)]);
    const [doneA, doneB] = await Promise.all([p.completed(a), p.completed(b)]);
    assert.equal(doneA.result?.published_url, doneB.result?.published_url);
    assert.equal(postsFor(a.request_id), 1);
  });

  it('when Redis is down, then the task fails transient and nothing is posted blind', async () => {
    const config = testConfig('publisher', testId('pubnoredis'), { REDIS_URL: 'redis://127.0.0.1:1' });
    const logger = createLogger({ service: 'publisher', level: 'silent' });
    const metrics = createMetrics('publisher');
    const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger);
    const breakers = createBreakers({ service: 'publisher', logger, metrics });
    try {
      const handle = createPublishHandler({ config, logger, metrics, redis, breakers, alerts: createNullAlerter() });
      const env = createEnvelope({
        request_id: randomUUID(),
        user_id: randomUUID(),
        stage: 'publish',
        payload: publishPayload({ type: 'webhook', url: `${receiver.url}/hook` }),
      });
      // Put back without spending an attempt: an outage of Redis, not a failure of this request.
      await assert.rejects(
        handle(env),
        (err) => err instanceof TaskError && err.transient && err.code === 'idempotency_unavailable' && !err.consumeAttempt && (err.retryAfterMs ?? 0) >= 5000,
      );
      assert.equal(postsFor(env.request_id), 0);
    } finally {
      breakers.close();
      await closeRedis(redis);
    }
  });
});
