import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { BASE_URLS, cleanupRedis, startHttpStub, testId, type HttpStub } from '@pressroom/test-support';
import { cooldownKey, createAlerter, createAlerterFromConfig, sinksFromConfig, type Alerter } from '../src/index.ts';
import { capturedLogger, counterValues, llmFailure, newMetrics, ready, testRedis, until } from './support/fixtures.ts';
import { startSmtpCapture, type SmtpCapture } from './support/smtp-capture.ts';

const SECRET = 'alert-signing-secret-of-at-least-32-bytes!!';

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('alert de-duplication across replicas (real Redis)', () => {
  const id = testId('alertdedupe');
  const prefix = `test:${id}:`;
  let slack: HttpStub;
  let hook: HttpStub;
  let smtp: SmtpCapture;
  let config: Record<string, string>;
  const replicas: Array<{ alerter: Alerter; redis: Redis; metrics: ReturnType<typeof newMetrics> }> = [];

  before(async () => {
    [slack, hook, smtp] = await Promise.all([startHttpStub(() => ({ body: 'ok' })), startHttpStub(() => ({ status: 200 })), startSmtpCapture()]);
    config = {
      ALERT_SLACK_WEBHOOK_URL: slack.url,
      ALERT_WEBHOOK_URL: hook.url,
      WEBHOOK_SIGNING_SECRET: SECRET,
      SMTP_URL: smtp.url,
      ALERT_EMAIL_TO: 'oncall@example.test',
    };
    for (const n of [1, 2, 3]) {
      // Separate clients and registries, one Redis and one key prefix: three processes of one deployment.
      const redis = await ready(testRedis(BASE_URLS.redis, prefix));
      const metrics = newMetrics();
      const alerter = createAlerter({
        service: 'llm',
        instance: `llm-${n}`,
        redis,
        logger: capturedLogger().logger,
        metrics,
        sinks: sinksFromConfig(config),
        cooldownSeconds: 1,
      });
      replicas.push({ alerter, redis, metrics });
    }
  });

  after(async () => {
    for (const r of replicas) {
      await r.alerter.close(1000);
      r.redis.disconnect();
    }
    await Promise.all([slack.close(), hook.close(), smtp.close()]);
    await cleanupRedis(id);
  });

  it('when three replicas raise the same alert at once, then each sink gets exactly one; after the cooldown the next carries the digest', async () => {
    await Promise.all(replicas.map((r) => r.alerter.raise(llmFailure())));
    for (const r of replicas) assert.equal(await r.alerter.flush(10_000), true);
    assert.equal(slack.requests.length, 1);
    assert.equal(hook.requests.length, 1);
    assert.equal(smtp.messages.length, 1);
    const counts = await Promise.all(replicas.map((r) => counterValues(r.metrics)));
    assert.equal(
      counts.reduce((n, c) => n + (c['llm_failure/suppressed/none'] ?? 0), 0),
      2,
    );
    assert.equal(
      counts.reduce((n, c) => n + (c['llm_failure/sent/slack'] ?? 0), 0),
      1,
    );

    // The cooldown window is a Redis key with an expiry: wait (bounded) until it is gone.
    const probe = replicas[0]!.redis;
    await until(async () => (await probe.exists(cooldownKey(llmFailure()))) === 0);
    await replicas[1]!.alerter.raise(llmFailure({ request_id: 'second-request' }));
    await replicas[1]!.alerter.flush(10_000);

    assert.equal(slack.requests.length, 2);
    assert.equal(hook.requests.length, 2);
    await smtp.waitFor(2);
    const digest = '2 similar alerts suppressed during the 1s cooldown after the previous one';
    assert.match((slack.requests[1]!.json() as any).text, new RegExp(`request_id: second-request[\\s\\S]*\\n${digest}$`));
    assert.equal((hook.requests[1]!.json() as any).alert.suppressed, 2);
    assert.ok(smtp.messages[1]!.text.endsWith(digest));
  });

  it('when alerts differ in dedupe_key, then each is sent', async () => {
    const r = replicas[0]!;
    const before = slack.requests.length;
    await r.alerter.raise({ kind: 'breaker_open', severity: 'warning', summary: 'circuit breaker open', dedupe_key: 'llm:openai' });
    await r.alerter.raise({ kind: 'breaker_open', severity: 'warning', summary: 'circuit breaker open', dedupe_key: 'research:serper' });
    await r.alerter.flush(10_000);
    assert.equal(slack.requests.length, before + 2);
  });

  it('when Redis is down, then the alert is still sent, the outage is logged and repeats in this process are held back', async () => {
    const redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    redis.on('error', () => undefined);
    const { logger, lines } = capturedLogger();
    const alerter = createAlerterFromConfig({ ...config, ALERT_COOLDOWN_S: '60' }, { service: 'llm', redis, logger, metrics: newMetrics() });
    const before = hook.requests.length;
    const alert = llmFailure({ summary: 'LLM calls failing while redis is away' });
    await alerter.raise(alert);
    await alerter.raise(alert);
    await alerter.close(10_000);
    assert.equal(hook.requests.length, before + 1);
    assert.equal((hook.requests.at(-1)!.json() as any).alert.summary, 'LLM calls failing while redis is away');
    assert.ok(lines().some((l) => l['level'] === 'warn' && /alert de-duplication unavailable/.test(String(l['msg']))));
  });

  it('when Redis accepts connections but never answers, then raise waits no longer than the Redis timeout and the alert is sent', async () => {
    const sockets = new Set<Socket>();
    const blackhole = createServer((socket) => sockets.add(socket.on('error', () => undefined))).listen(0, '127.0.0.1');
    await once(blackhole, 'listening');
    // With an offline queue, commands wait for a ready connection that never comes: raise must not wait with them.
    const redis = new Redis(`redis://127.0.0.1:${(blackhole.address() as { port: number }).port}`, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    const alerter = createAlerter({
      service: 'llm',
      instance: 'llm-x',
      redis,
      logger: capturedLogger().logger,
      metrics: newMetrics(),
      sinks: sinksFromConfig(config),
      cooldownSeconds: 60,
      redisTimeoutMs: 200,
    });
    const before = slack.requests.length;
    const started = performance.now();
    await alerter.raise(llmFailure({ summary: 'redis hangs' }));
    assert.ok(performance.now() - started < 1000);
    await alerter.close(10_000);
    redis.disconnect();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
    assert.equal(slack.requests.length, before + 1);
  });
});
