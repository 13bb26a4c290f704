import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { permanentError, transientError, type ResearchTask } from '@pressroom/contracts';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import { runWorker, type RunningWorker } from '@pressroom/runtime';
import { cleanupBroker, cleanupRedis, collectEvents, startHttpStub, testConfig, testId, type HttpStub } from '@pressroom/test-support';

const payload = (topic: string): ResearchTask => ({ brief: { topic, tone: 'neutral', length: 'short' }, channel: { type: 'file' } });

describe('worker alerts delivered to a webhook sink (real RabbitMQ and Redis)', () => {
  const id = testId('alert');
  let sink: HttpStub;
  let worker: RunningWorker;
  let events: Awaited<ReturnType<typeof collectEvents>>;

  before(async () => {
    sink = await startHttpStub(() => ({ status: 204 }));
    const config = testConfig('research', id, {
      ALERT_WEBHOOK_URL: `${'http'}://127.0.0.1:${new URL(sink.url).port}/alerts`,
      RETRY_MAX_ATTEMPTS: '2',
      BREAKER_VOLUME: '1',
      BREAKER_ERROR_PERCENT: '1',
      ALERT_STAGE_LATENCY_MS: '150',
    });
    events = await collectEvents(config.AMQP_PREFIX);
    worker = await runWorker({
      service: 'research',
      stage: 'research',
      config,
      port: 0,
      createHandler:
        ({ breakers }) =>
        async (task) => {
          const topic = task.payload.brief.topic;
          if (topic === 'gone') throw permanentError('upstream_404', 'the page is gone');
          if (topic === 'throttled') throw transientError('upstream_rate_limited', 'search API answered 429');
          if (topic === 'provider down') await breakers.call('search:stub', () => Promise.reject(transientError('upstream_503', 'down')));
          if (topic === 'one host down')
            await breakers.call('fetch:pages.example', () => Promise.reject(transientError('upstream_503', 'down')), { scope: 'target' });
          if (topic === 'slow') await new Promise((r) => setTimeout(r, 200));
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
  const alertOf = async (kind: string, match?: RegExp) => {
    for (let i = 0; i < 100; i++) {
      const hit = sink.requests
        .map((r) => r.json() as { alert: { kind: string; request_id?: string; summary: string; service: string; severity: string } })
        .find((b) => b.alert.kind === kind && (!match || match.test(b.alert.summary)));
      if (hit) return hit.alert;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${kind} alert arrived; got ${sink.requests.map((r) => (r.json() as { alert: { kind: string } }).alert.kind).join(', ')}`);
  };

  it('when a task is dead-lettered, then a dead_letter alert names the stage, the code and the request', async () => {
    const rid = await submit('gone');
    const alert = await alertOf('dead_letter');
    assert.equal(alert.request_id, rid);
    assert.match(alert.summary, /research task was dead-lettered \(upstream_404\)/);
    assert.equal(alert.service, 'research');
    assert.match(String(sink.requests[0]!.headers['x-pressroom-signature']), /^sha256=[0-9a-f]{64}$/);
  });

  it('when a provider answers 429, then a provider_quota_exhausted alert is raised, naming the stage when the service gave no provider name; no llm_failure', async () => {
    const rid = await submit('throttled');
    const alert = await alertOf('provider_quota_exhausted');
    assert.equal(alert.request_id, rid);
    assert.match(alert.summary, /^the research provider refuses calls/);
    assert.ok(
      !sink.requests.some((r) => (r.json() as { alert: { kind: string } }).alert.kind === 'llm_failure'),
      'a stage that did not ask for one alert per failure raises none',
    );
  });

  it("when a provider's breaker opens, then a critical breaker_open alert is raised; one target host's breaker is a warning", async () => {
    await submit('provider down');
    const alert = await alertOf('breaker_open', /search:stub opened/);
    assert.equal(alert.severity, 'critical');
    await submit('one host down');
    const host = await alertOf('breaker_open', /fetch:pages\.example opened/);
    assert.equal(host.severity, 'warning');
  });

  it('when a stage attempt is slower than the threshold, then a high_latency alert is raised', async () => {
    const rid = await submit('slow');
    const alert = await alertOf('high_latency');
    assert.equal(alert.request_id, rid);
  });
});

describe('a stage whose service asks for an alert on every failed call (real RabbitMQ and Redis)', () => {
  const id = testId('alertw');
  let sink: HttpStub;
  let worker: RunningWorker;

  before(async () => {
    sink = await startHttpStub(() => ({ status: 204 }));
    const config = testConfig('llm', id, { ALERT_WEBHOOK_URL: `${'http'}://127.0.0.1:${new URL(sink.url).port}/alerts`, RETRY_MAX_ATTEMPTS: '1' });
    worker = await runWorker({
      service: 'llm',
      stage: 'write',
      config,
      port: 0,
      alerting: { provider: 'model', alertEachFailure: true },
      createHandler: () => async (task) => {
        if (task.payload.brief.topic === 'throttled') throw transientError('upstream_rate_limited', 'the model API answered 429');
        throw permanentError('upstream_400', 'the model API refused the prompt');
      },
    });
    await worker.broker.waitForConnect();
  });

  after(async () => {
    await worker.shutdown.shutdown();
    await sink.close();
    await cleanupBroker(id);
    await cleanupRedis(id);
  });

  const write = async (topic: string) => {
    const env = createEnvelope({
      request_id: randomUUID(),
      user_id: randomUUID(),
      stage: 'write',
      payload: { brief: { topic, tone: 'neutral', length: 'short' }, channel: { type: 'file' }, sources: [] },
    });
    await publishTask(worker.broker, env);
    return env.request_id;
  };
  const alerts = () => sink.requests.map((r) => (r.json() as { alert: { kind: string; summary: string; request_id?: string } }).alert);
  const arrived = async (kind: string) => {
    for (let i = 0; i < 100 && !alerts().some((a) => a.kind === kind); i++) await new Promise((r) => setTimeout(r, 50));
    return alerts().find((a) => a.kind === kind);
  };

  it('when a call fails, then an llm_failure alert names the provider as the service calls it; a 429 names it in provider_quota_exhausted', async () => {
    const rid = await write('refused');
    const failure = await arrived('llm_failure');
    assert.equal(failure?.request_id, rid);
    assert.match(failure?.summary ?? '', /^a call to the model failed \(upstream_400\)$/);
    await write('throttled');
    const quota = await arrived('provider_quota_exhausted');
    assert.match(quota?.summary ?? '', /^the model provider refuses calls/);
  });
});
