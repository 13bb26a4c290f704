import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as amqplib from 'amqplib';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import type { RunningWorker } from '@pressroom/runtime';
import { BASE_URLS, pollUntil } from '@pressroom/test-support';
import { startStageWorker, type StageWorker } from '../support/stage-worker.ts';

describe('stage events before the gateway has ever started (real RabbitMQ and Redis)', () => {
  let w: StageWorker<'research'>;
  let worker: RunningWorker;
  let events: StageWorker<'research'>['events'];
  let config: StageWorker<'research'>['config'];

  before(async () => {
    w = await startStageWorker({
      label: 'evq',
      stage: 'research',
      settings: { STARTED_EVENT_DELAY_MS: '0' },
      createHandler: () => async (task) => ({ next: { ...task.payload, sources: [{ title: 'T', url: 'file:///t', snippet: 's', text: 'x' }] } }),
    });
    ({ worker, events, config } = w);
  });

  after(async () => {
    await w.close();
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
