import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { permanentError, transientError } from '@pressroom/contracts';
import { pollUntil } from '@pressroom/test-support';
import { researchPayload, SOURCE, startStageWorker, type SentAlert, type StageWorker } from '../support/stage-worker.ts';

/** The first alert of `kind` (and summary matching `match`) to reach the worker's sink. */
const alertOf = (w: { alerts: () => SentAlert[] }, kind: string, match?: RegExp) =>
  pollUntil(`a ${kind} alert`, async () => w.alerts().find((a) => a.kind === kind && (!match || match.test(a.summary))), {
    timeoutMs: 5000,
    intervalMs: 50,
    lastSeen: () =>
      w
        .alerts()
        .map((a) => a.kind)
        .join(', '),
  });

describe('worker alerts delivered to a webhook sink (real RabbitMQ and Redis)', () => {
  let w: StageWorker<'research'>;

  before(async () => {
    w = await startStageWorker({
      label: 'alert',
      stage: 'research',
      alertSink: true,
      settings: { RETRY_MAX_ATTEMPTS: '2', BREAKER_VOLUME: '1', BREAKER_ERROR_PERCENT: '1', ALERT_STAGE_LATENCY_MS: '150' },
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
          return { next: { ...task.payload, sources: [SOURCE] } };
        },
    });
  });
  after(() => w.close());

  const submit = async (topic: string) => (await w.submit(researchPayload(topic))).request_id;

  it('when a task is dead-lettered, then a dead_letter alert names the stage, the code and the request', async () => {
    const rid = await submit('gone');
    const alert = await alertOf(w, 'dead_letter');
    assert.equal(alert.request_id, rid);
    assert.match(alert.summary, /research task was dead-lettered \(upstream_404\)/);
    assert.equal(alert.service, 'research');
    assert.match(String(w.sink!.requests[0]!.headers['x-pressroom-signature']), /^sha256=[0-9a-f]{64}$/);
  });

  it('when a provider answers 429, then a provider_quota_exhausted alert is raised, naming the stage when the service gave no provider name; no llm_failure', async () => {
    const rid = await submit('throttled');
    const alert = await alertOf(w, 'provider_quota_exhausted');
    assert.equal(alert.request_id, rid);
    assert.match(alert.summary, /^the research provider refuses calls/);
    assert.ok(!w.alerts().some((a) => a.kind === 'llm_failure'), 'a stage that did not ask for one alert per failure raises none');
  });

  it("when a provider's breaker opens, then a critical breaker_open alert is raised; one target host's breaker is a warning", async () => {
    await submit('provider down');
    const alert = await alertOf(w, 'breaker_open', /search:stub opened/);
    assert.equal(alert.severity, 'critical');
    await submit('one host down');
    const host = await alertOf(w, 'breaker_open', /fetch:pages\.example opened/);
    assert.equal(host.severity, 'warning');
  });

  it('when a stage attempt is slower than the threshold, then a high_latency alert is raised', async () => {
    const rid = await submit('slow');
    const alert = await alertOf(w, 'high_latency');
    assert.equal(alert.request_id, rid);
  });
});

describe('a stage whose service asks for an alert on every failed call (real RabbitMQ and Redis)', () => {
  let w: StageWorker<'write'>;

  before(async () => {
    w = await startStageWorker({
      label: 'alertw',
      stage: 'write',
      alertSink: true,
      settings: { RETRY_MAX_ATTEMPTS: '1' },
      alerting: { provider: 'model', alertEachFailure: true },
      createHandler: () => async (task) => {
        if (task.payload.brief.topic === 'throttled') throw transientError('upstream_rate_limited', 'the model API answered 429');
        throw permanentError('upstream_400', 'the model API refused the prompt');
      },
    });
  });
  after(() => w.close());

  const write = async (topic: string) => (await w.submit({ ...researchPayload(topic), sources: [] })).request_id;

  it('when a call fails, then an llm_failure alert names the provider as the service calls it; a 429 names it in provider_quota_exhausted', async () => {
    const rid = await write('refused');
    const failure = await alertOf(w, 'llm_failure');
    assert.equal(failure.request_id, rid);
    assert.match(failure.summary, /^a call to the model failed \(upstream_400\)$/);
    await write('throttled');
    const quota = await alertOf(w, 'provider_quota_exhausted');
    assert.match(quota.summary, /^the model provider refuses calls/);
  });
});
