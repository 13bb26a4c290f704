import { randomUUID } from 'node:crypto';
import type { PublishTask, TaskChannel } from '@pressroom/contracts';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import { runWorker, type RunningWorker } from '@pressroom/runtime';
import { cleanupBroker, cleanupRedis, collectEvents, testConfig, testId } from '@pressroom/test-support';
import { createPublishHandler, PUBLISH_ALERTING } from '../../src/publish-handler.ts';

export function publishPayload(channel: TaskChannel, title = 'Tides: why "the sea" moves'): PublishTask {
  return {
    brief: { topic: 'tides and the moon', tone: 'neutral', length: 'short' },
    channel,
    article: {
      title,
      summary: 'The moon pulls the oceans.',
      body_markdown: '# Tides\n\nThe moon pulls the sea [1].\n\n- spring tides\n- neap tides\n',
      sources: [{ title: 'NOAA tides', url: 'https://oceanservice.noaa.gov/tides' }],
    },
  };
}

/** A real publisher worker on its own queue and Redis prefix; `submit` publishes one publish task. */
export async function startPublisher(label: string, overrides: Record<string, string> = {}) {
  const id = testId(label);
  const config = testConfig('publisher', id, overrides);
  const events = await collectEvents(config.AMQP_PREFIX);
  const worker: RunningWorker = await runWorker({
    service: 'publisher',
    stage: 'publish',
    config,
    port: 0,
    createHandler: createPublishHandler,
    alerting: PUBLISH_ALERTING,
  });
  await worker.broker.waitForConnect();
  return {
    config,
    events,
    worker,
    envelope: (payload: PublishTask, request_id: string = randomUUID()) => createEnvelope({ request_id, user_id: randomUUID(), stage: 'publish', payload }),
    async submit(payload: PublishTask, request_id?: string) {
      const env = this.envelope(payload, request_id);
      await publishTask(worker.broker, env);
      return env;
    },
    completed: (env: { message_id: string }) => events.waitFor((e) => e.message_id === env.message_id && e.type === 'completed'),
    async close() {
      await worker.shutdown.shutdown();
      await events.close();
      await cleanupBroker(id);
      await cleanupRedis(id);
    },
  };
}
