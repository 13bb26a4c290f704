import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { withLogContext } from '@pressroom/logger';
import { BASE_URLS, cleanupRedis, startHttpStub, testId, type HttpStub } from '@pressroom/test-support';
import { createAlerter, sinksFromConfig } from '../src/index.ts';
import { capturedLogger, counterValues, llmFailure, newMetrics, ready, testRedis } from './support/fixtures.ts';

describe('alert delivery in the background (retries, timeouts, bounded queue)', () => {
  const id = testId('alertdeliv');
  let redis: Redis;

  before(async () => {
    redis = await ready(testRedis(BASE_URLS.redis, `test:${id}:`));
  });

  after(async () => {
    redis.disconnect();
    await cleanupRedis(id);
  });

  const stubs: HttpStub[] = [];
  after(() => Promise.all(stubs.map((s) => s.close())));

  it('when a sink answers 500 twice then 200, then the alert is delivered once on attempt 3 while raise returned at once', async () => {
    let n = 0;
    const slack = await startHttpStub(() => ({ status: ++n <= 2 ? 500 : 200, body: 'ok' }));
    stubs.push(slack);
    const metrics = newMetrics();
    const { logger, lines } = capturedLogger();
    const alerter = createAlerter({
      service: 'llm',
      instance: 'i',
      redis,
      logger,
      metrics,
      sinks: sinksFromConfig({ ALERT_SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/secret-token` }),
      cooldownSeconds: 60,
      delivery: { retryDelaysMs: [50, 100, 200] },
    });
    const started = performance.now();
    await alerter.raise(llmFailure({ dedupe_key: 'retry' }));
    const raiseMs = performance.now() - started;
    // Resolved before the delivery could finish: the retries wait 50 + 100 ms, and nothing is counted yet.
    assert.deepEqual(await counterValues(metrics), {});
    assert.ok(raiseMs < 1000, `raise took ${raiseMs} ms`);
    assert.equal(await alerter.flush(10_000), true);
    assert.equal(slack.requests.length, 3);
    assert.deepEqual(await counterValues(metrics), { 'llm_failure/sent/slack': 1 });
    const retries = lines().filter((l) => l['msg'] === 'alert delivery to slack failed; retrying');
    assert.deepEqual(
      retries.map((l) => l['attempt']),
      [1, 2],
    );
    assert.equal(retries[0]?.['reason'], 'HTTP 500');
    assert.ok(!JSON.stringify(lines()).includes('secret-token'), 'the webhook URL (a secret for Slack) is never logged');
    await alerter.close(1000);
  });

  it('when a sink never answers, then raise does not wait for it and the delivery fails after its timeout', async () => {
    const hook = await startHttpStub(() => ({ status: 200, delayMs: 1500 }));
    stubs.push(hook);
    const metrics = newMetrics();
    const sinks = sinksFromConfig({ ALERT_WEBHOOK_URL: hook.url, WEBHOOK_SIGNING_SECRET: 'x'.repeat(40) }, { httpTimeoutMs: 200 });
    const alerter = createAlerter({
      service: 'llm',
      instance: 'i',
      redis,
      logger: capturedLogger().logger,
      metrics,
      sinks,
      cooldownSeconds: 60,
      delivery: { retryDelaysMs: [10] },
    });
    const started = performance.now();
    await alerter.raise(llmFailure({ dedupe_key: 'hang' }));
    // Resolved before the delivery could even time out (200 ms), let alone answer (1.5 s).
    assert.deepEqual(await counterValues(metrics), {});
    assert.ok(performance.now() - started < 1000);
    assert.equal(await alerter.flush(5000), true);
    assert.equal(hook.requests.length, 2);
    assert.deepEqual(await counterValues(metrics), { 'llm_failure/failed/webhook': 1 });
    await alerter.close(1000);
  });

  it('when the queue of a sink is full, then further alerts are dropped and counted, and raise still returns', async () => {
    const slack = await startHttpStub(() => ({ status: 200, delayMs: 300 }));
    stubs.push(slack);
    const metrics = newMetrics();
    const alerter = createAlerter({
      service: 'llm',
      instance: 'i',
      redis,
      logger: capturedLogger().logger,
      metrics,
      sinks: sinksFromConfig({ ALERT_SLACK_WEBHOOK_URL: slack.url }),
      cooldownSeconds: 60,
      delivery: { maxQueue: 2, concurrency: 1 },
    });
    for (const k of ['q1', 'q2', 'q3']) await alerter.raise(llmFailure({ dedupe_key: k }));
    assert.equal(await alerter.flush(5000), true);
    assert.equal(slack.requests.length, 2);
    assert.deepEqual(await counterValues(metrics), { 'llm_failure/sent/slack': 2, 'llm_failure/failed/slack': 1 });
    await alerter.close(1000);
  });

  it("when an alert waits for a sink busy with another caller's alert, then its retry line names its own request, not that caller's", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let n = 0;
    const slack = await startHttpStub(async () => (++n === 1 ? (await held, { status: 200 }) : { status: 500 }));
    stubs.push(slack);
    const { logger, lines } = capturedLogger();
    const alerter = createAlerter({
      service: 'llm',
      instance: 'i',
      redis,
      logger,
      metrics: newMetrics(),
      sinks: sinksFromConfig({ ALERT_SLACK_WEBHOOK_URL: slack.url }),
      cooldownSeconds: 60,
      delivery: { concurrency: 1, retryDelaysMs: [10] },
    });
    // Raised as a stage worker raises them: each inside its own task's log context.
    const raise = (request_id: string, stage: string) =>
      withLogContext({ request_id, stage, user_id: `user-${request_id}` }, () =>
        alerter.raise(llmFailure({ dedupe_key: `ctx-${request_id}`, request_id, stage })),
      );
    await raise('req-a', 'research');
    await slack.waitFor(1);
    // The only slot is busy with the first alert: the second waits, and starts when the first is delivered.
    await raise('req-b', 'write');
    release();
    assert.equal(await alerter.flush(5000), true);
    const retry = lines().find((l) => l['msg'] === 'alert delivery to slack failed; retrying');
    assert.ok(retry, 'the second alert failed once and was retried');
    assert.deepEqual([retry['request_id'], retry['stage'], retry['user_id']], ['req-b', 'write', undefined]);
    await alerter.close(1000);
  });

  it('when two alerters share one registry, then both count into the same metric', async () => {
    const metrics = newMetrics();
    const make = () => createAlerter({ service: 'llm', instance: 'i', redis, logger: capturedLogger().logger, metrics, sinks: [], cooldownSeconds: 60 });
    const [a, b] = [make(), make()];
    await a.raise(llmFailure({ dedupe_key: 'shared-registry' }));
    await b.raise(llmFailure({ dedupe_key: 'shared-registry' }));
    assert.deepEqual(await counterValues(metrics), { 'llm_failure/suppressed/none': 1 });
    await Promise.all([a.close(100), b.close(100)]);
  });

  it('when the alerter is closing, then deliveries still in retry are abandoned, counted and close returns', async () => {
    const slack = await startHttpStub(() => ({ status: 503 }));
    stubs.push(slack);
    const metrics = newMetrics();
    const alerter = createAlerter({
      service: 'llm',
      instance: 'i',
      redis,
      logger: capturedLogger().logger,
      metrics,
      sinks: sinksFromConfig({ ALERT_SLACK_WEBHOOK_URL: slack.url }),
      cooldownSeconds: 60,
      delivery: { retryDelaysMs: [60_000] },
    });
    await alerter.raise(llmFailure({ dedupe_key: 'closing' }));
    await slack.waitFor(1);
    const started = performance.now();
    await alerter.close(200);
    assert.ok(performance.now() - started < 2000);
    assert.deepEqual(await counterValues(metrics), { 'llm_failure/failed/slack': 1 });
    await alerter.raise(llmFailure({ dedupe_key: 'after-close' }));
    assert.equal(slack.requests.length, 1);
  });
});
