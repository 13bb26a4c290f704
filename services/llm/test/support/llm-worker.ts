import { randomUUID } from 'node:crypto';
import * as amqplib from 'amqplib';
import type { PublishTask, WriteTask } from '@pressroom/contracts';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import { runWorker } from '@pressroom/runtime';
import { BASE_URLS, cleanupBroker, cleanupRedis, collectEvents, testConfig, testId } from '@pressroom/test-support';
import { createWriteHandler, WRITE_ALERTING } from '../../src/write-handler.ts';

/** A real llm worker on its own queue and Redis prefix, with the helpers component tests share. */
export async function startLlmWorker(overrides: Record<string, string>) {
  const id = testId('llm');
  const config = testConfig('llm', id, overrides);
  const events = await collectEvents(config.AMQP_PREFIX);
  const worker = await runWorker({ service: 'llm', stage: 'write', config, port: 0, createHandler: createWriteHandler, alerting: WRITE_ALERTING });
  await worker.broker.waitForConnect();
  const conn = await amqplib.connect(BASE_URLS.rabbitmq);
  const ch = await conn.createChannel();
  const published = new Map<string, PublishTask>();
  const dead = new Map<string, { reason: unknown; detail: unknown }>();

  return {
    config,
    worker,
    events,
    async submit(payload: WriteTask): Promise<string> {
      const request_id = randomUUID();
      await publishTask(worker.broker, createEnvelope({ request_id, user_id: randomUUID(), stage: 'write', payload }));
      return request_id;
    },
    /** Awaits the request's final event (completed or failed). */
    settled: (requestId: string) => events.waitFor((e) => e.request_id === requestId && (e.type === 'completed' || e.type === 'failed')),
    /** The publish task queued for a request (drains the queue, keeping what it read for later calls). */
    async publishTaskFor(requestId: string): Promise<PublishTask | undefined> {
      for (
        let m = await ch.get(`${config.AMQP_PREFIX}publish.tasks`, { noAck: true });
        m;
        m = await ch.get(`${config.AMQP_PREFIX}publish.tasks`, { noAck: true })
      ) {
        const envelope = JSON.parse(m.content.toString()) as { request_id: string; payload: PublishTask };
        published.set(envelope.request_id, envelope.payload);
      }
      return published.get(requestId);
    },
    /** The dead letter of a request (drains the dead-letter queue, keeping what it read for later calls). */
    async deadLetterFor(requestId: string): Promise<{ reason: unknown; detail: unknown } | undefined> {
      for (let m = await ch.get(`${config.AMQP_PREFIX}write.dead`, { noAck: true }); m; m = await ch.get(`${config.AMQP_PREFIX}write.dead`, { noAck: true })) {
        const envelope = JSON.parse(m.content.toString()) as { request_id: string };
        const headers = m.properties.headers ?? {};
        dead.set(envelope.request_id, { reason: headers['x-pressroom-reason'], detail: headers['x-pressroom-detail'] });
      }
      return dead.get(requestId);
    },
    async metric(name: 'llmCalls' | 'cache' | 'llmTokens' | 'llmCost' | 'llmSavedTokens' | 'llmSavedCost', labels: Record<string, string>): Promise<number> {
      const { values } = await worker.metrics[name].get();
      return values
        .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k as keyof typeof v.labels] === val))
        .reduce((sum, v) => sum + v.value, 0);
    },
    async stop(): Promise<void> {
      await conn.close().catch(() => undefined);
      await worker.shutdown.shutdown();
      await events.close();
      await cleanupBroker(id);
      await cleanupRedis(id);
    },
  };
}

export type LlmWorker = Awaited<ReturnType<typeof startLlmWorker>>;

/** Every [n] citation of a Markdown text (link texts excluded). */
export const citationsIn = (markdown: string) => [...markdown.matchAll(/\[(\d+)\](?!\()/g)].map((m) => Number(m[1]));
