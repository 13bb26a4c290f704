import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as amqplib from 'amqplib';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import { runWorker, type RunningWorker } from '@pressroom/runtime';
import { BASE_URLS, cleanupBroker, cleanupRedis, collectEvents, pollUntil, testConfig, testId } from '@pressroom/test-support';

describe('stage events before the gateway has ever started (real RabbitMQ and Redis)', () => {
  const id = testId('evq');
  const config = testConfig('research', id, { STARTED_EVENT_DELAY_MS: '0' });
  let worker: RunningWorker;
  let events: Awaited<ReturnType<typeof collectEvents>>;

  before(async () => {
    events = await collectEvents(config.AMQP_PREFIX);
    worker = await runWorker({
      service: 'research',
      stage: 'research',
      config,
      port: 0,
      createHandler: () => async (task) => ({ next: { ...task.payload, sources: [{ title: 'T', url: 'file:///t', snippet: 's', text: 'x' }] } }),
    });
    await worker.broker.waitForConnect();
  });

  after(async () => {
    await worker.shutdown.shutdown();
    await events.close();
    await cleanupBroker(id);
    await cleanupRedis(id);
  });

  it('when only a worker has run on a fresh vhost, then its events wait in the tracker queue for the gateway', async () => {
    const env = createEnvelope({
      request_id: randomUUID(),
      user_id: randomUUID(),
      stage: 'research',
      payload: { brief: { topic: 'kept events', tone: 'neutral', length: 'short' }, channel: { type: 'file' } },
    });
    await publishTask(worker.broker, env);
    await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
    const conn = await amqplib.connect(BASE_URLS.rabbitmq);
    try {
      const ch = await conn.createChannel();
      const queued = await pollUntil('both events in the tracker queue', async () => {
        const { messageCount } = await ch.checkQueue(`${config.AMQP_PREFIX}gateway.events`);
        return messageCount >= 2 ? messageCount : undefined;
      });
      assert.equal(queued, 2, 'started and completed are both held');
    } finally {
      await conn.close();
    }
  });
});
