import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import * as amqplib from 'amqplib';
import { createRedis, markCancelled, type Redis } from '@pressroom/cache';
import { createLogger } from '@pressroom/logger';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import type { RunningWorker } from '@pressroom/runtime';
import { BASE_URLS } from '@pressroom/test-support';
import { researchPayload, startStageWorker, type StageWorker } from '../support/stage-worker.ts';

describe('cancel at the stage boundary and in flight (real RabbitMQ and Redis)', () => {
  const ran = new Set<string>();
  const running = new Map<string, () => void>();
  let w: StageWorker<'research'>;
  let worker: RunningWorker;
  let events: StageWorker<'research'>['events'];
  let config: StageWorker<'research'>['config'];
  let redis: Redis;

  before(async () => {
    w = await startStageWorker({
      label: 'cancel',
      stage: 'research',
      settings: { STARTED_EVENT_DELAY_MS: '0' },
      createHandler: () => async (task, context) => {
        ran.add(task.request_id);
        if (task.payload.brief.topic === 'a long call')
          // Like the llm's HTTP call: it ends when the signal aborts it.
          await new Promise((_resolve, reject) => {
            running.get(task.request_id)?.();
            context?.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
          });
        if (task.payload.brief.topic === 'work that ignores the signal') {
          // Like the research handler: it does not listen for the signal, and finishes its work regardless.
          running.get(task.request_id)?.();
          await new Promise((resolve) => setTimeout(resolve, 700));
        }
        return { next: { ...task.payload, sources: [] } };
      },
    });
    ({ worker, events, config } = w);
    redis = createRedis(BASE_URLS.redis, config.REDIS_KEY_PREFIX, createLogger({ service: 'test', level: 'silent' }));
    if (redis.status !== 'ready') await once(redis, 'ready');
  });

  after(async () => {
    await w.close();
    redis.disconnect();
  });

  it("when a request's cancel marker is set before its task starts, then the stage does not run and a cancelled event says where it stopped", async () => {
    const env = createEnvelope({ request_id: randomUUID(), user_id: randomUUID(), stage: 'research', payload: researchPayload('bees') });
    await markCancelled(redis, config.REDIS_KEY_PREFIX, env.request_id);
    await publishTask(worker.broker, env);
    const cancelled = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'cancelled');
    assert.equal(cancelled.stage, 'research');
    assert.equal(cancelled.duration_ms, undefined, 'it never started');
    assert.ok(!ran.has(env.request_id), 'the handler never ran');
    assert.ok(!events.events.some((e) => e.request_id === env.request_id && e.type !== 'cancelled'), 'no started or completed event');
  });

  it('when a request is cancelled while its stage runs, then the stage is abandoned at once with a cancelled event and no next task', async () => {
    const env = createEnvelope({ request_id: randomUUID(), user_id: randomUUID(), stage: 'research', payload: researchPayload('a long call') });
    const started = new Promise<void>((resolve) => running.set(env.request_id, resolve));
    await publishTask(worker.broker, env);
    await started;
    await markCancelled(redis, config.REDIS_KEY_PREFIX, env.request_id);
    const cancelled = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'cancelled');
    assert.equal(typeof cancelled.duration_ms, 'number', 'it had started: its duration says when');
    assert.ok(!events.events.some((e) => e.request_id === env.request_id && (e.type === 'completed' || e.type === 'failed' || e.type === 'retrying')));
  });

  it('when a request is cancelled while a stage that ignores the signal runs, then its work is not handed on: a cancelled event, no completed event, no next task', async () => {
    const env = createEnvelope({
      request_id: randomUUID(),
      user_id: randomUUID(),
      stage: 'research',
      payload: researchPayload('work that ignores the signal'),
    });
    const started = new Promise<void>((resolve) => running.set(env.request_id, resolve));
    await publishTask(worker.broker, env);
    await started;
    await markCancelled(redis, config.REDIS_KEY_PREFIX, env.request_id);
    const cancelled = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'cancelled');
    assert.equal(cancelled.stage, 'research');
    assert.ok(!events.events.some((e) => e.request_id === env.request_id && e.type === 'completed'), 'no completed event');
    const conn = await amqplib.connect(BASE_URLS.rabbitmq);
    try {
      const ch = await conn.createChannel();
      assert.equal(await ch.get(`${config.AMQP_PREFIX}write.tasks`, { noAck: true }), false, 'no write task');
    } finally {
      await conn.close();
    }
  });
});
