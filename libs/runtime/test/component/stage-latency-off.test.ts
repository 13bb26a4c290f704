// Where Prometheus runs, ALERT_STAGE_LATENCY_MS is unset and its rules own latency: a slow stage attempt must not
// raise the in-process high_latency alert (docs/operations.md#who-sends-which-alert).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { permanentError, type ResearchTask } from '@pressroom/contracts';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import { runWorker, type RunningWorker } from '@pressroom/runtime';
import { cleanupBroker, cleanupRedis, collectEvents, pollUntil, startHttpStub, testConfig, testId, type HttpStub } from '@pressroom/test-support';

const payload = (topic: string): ResearchTask => ({ brief: { topic, tone: 'neutral', length: 'short' }, channel: { type: 'file' } });

describe('worker without ALERT_STAGE_LATENCY_MS (real RabbitMQ and Redis)', () => {
  const id = testId('latoff');
  let sink: HttpStub;
  let worker: RunningWorker;
  let events: Awaited<ReturnType<typeof collectEvents>>;

  before(async () => {
    sink = await startHttpStub(() => ({ status: 204 }));
    const config = testConfig('research', id, { ALERT_WEBHOOK_URL: `${'http'}://127.0.0.1:${new URL(sink.url).port}/alerts` });
    assert.equal(config.ALERT_STAGE_LATENCY_MS, undefined);
    events = await collectEvents(config.AMQP_PREFIX);
    worker = await runWorker({
      service: 'research',
      stage: 'research',
      config,
      port: 0,
      createHandler: () => async (task) => {
        if (task.payload.brief.topic === 'gone') throw permanentError('upstream_404', 'the page is gone');
        await new Promise((r) => setTimeout(r, 300));
        return { next: { ...task.payload, sources: [{ title: 'T', url: 'file:///t', snippet: 's', text: 'x' }] } };
      },
    });
    await worker.broker.waitForConnect();
  });

  after(async () => {
    await worker.shutdown.shutdown();
    await events.close();
    await sink.close();
    await cleanupBroker(id);
    await cleanupRedis(id);
  });

  const submit = async (topic: string) => {
    const env = createEnvelope({ request_id: randomUUID(), user_id: randomUUID(), stage: 'research', payload: payload(topic) });
    await publishTask(worker.broker, env);
    return env.request_id;
  };
  const kinds = () => sink.requests.map((r) => (r.json() as { alert: { kind: string } }).alert.kind);

  it('when a stage attempt takes long, then no high_latency alert is raised, while event alerts still are', async () => {
    const slow = await submit('slow');
    await events.waitFor((e) => e.request_id === slow && e.type === 'completed');
    // The dead letter comes after the slow attempt completed: once its alert is delivered, a high_latency alert
    // raised at that completion would have been delivered before it.
    await submit('gone');
    await pollUntil('the dead_letter alert', () => (kinds().includes('dead_letter') ? true : undefined), { lastSeen: () => kinds().join(', ') });
    assert.deepEqual(kinds(), ['dead_letter']);
  });
});
