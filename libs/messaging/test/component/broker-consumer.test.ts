import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@pressroom/logger';
import { BASE_URLS, cleanupBroker, testId } from '@pressroom/test-support';
import { createBroker, createEnvelope, publishTask, type Broker } from '../../src/index.ts';

describe('a consumer whose handler fails (real RabbitMQ)', () => {
  const id = testId('brokercons');
  const lines: Array<Record<string, unknown>> = [];
  let broker: Broker;

  before(async () => {
    broker = await createBroker({
      url: BASE_URLS.rabbitmq,
      prefix: `${id}.`,
      prefetch: 1,
      heartbeatS: 30,
      delaysMs: [100],
      logger: createLogger({ service: 'test', level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } }),
      connectionName: `test-${id}`,
    });
    await broker.waitForConnect(10_000);
  });

  after(async () => {
    await broker.close();
    await cleanupBroker(id);
  });

  it('when a handler rejects, then the task is requeued and the line names its request, user and stage', async () => {
    const task = createEnvelope({
      request_id: randomUUID(),
      user_id: randomUUID(),
      stage: 'research',
      payload: { brief: { topic: 'a failing handler', tone: 'neutral', length: 'short' }, channel: { type: 'file' } },
    });
    let redelivered = () => {};
    const again = new Promise<void>((resolve) => (redelivered = resolve));
    let deliveries = 0;
    await broker.consume(broker.names.work('research'), async (delivery) => {
      if (++deliveries === 1) throw new Error('a bug in the handler');
      delivery.ack();
      redelivered();
    });
    await publishTask(broker, task);
    await again;
    const line = lines.find((l) => l['msg'] === 'handler failed unexpectedly; requeueing');
    assert.ok(line);
    assert.deepEqual([line['request_id'], line['user_id'], line['stage']], [task.request_id, task.user_id, 'research']);
  });
});
