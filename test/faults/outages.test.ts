import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BASE_URLS,
  cleanupBroker,
  cleanupRedis,
  createDatabase,
  databaseUrl,
  dropDatabase,
  pollUntil,
  startTcpProxy,
  testEnv,
  testId,
  type TcpProxy,
} from '@pressroom/test-support';
import { createApiClient } from '../../services/gateway/test/support/gateway-harness.ts';
import { freePort, startService, type ServiceProcess } from '../support/services.ts';

const hostPort = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) });

// Probes may throw while a dependency is cut; that counts as not yet.
const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> =>
  pollUntil(what, () => probe().catch(() => undefined), { timeoutMs, intervalMs: 100 });

/**
 * Outages of RabbitMQ, PostgreSQL and Redis, simulated with TCP proxies between the services and the real
 * servers, so the shared servers keep running for everyone else. Nothing may crash and nothing may be lost.
 */
describe('outages (four processes behind TCP proxies)', () => {
  const id = testId('fault');
  const proxies: Record<'gatewayAmqp' | 'workersAmqp' | 'gatewayPg' | 'workersRedis', TcpProxy> = {} as never;
  let services: Record<string, ServiceProcess> = {};
  let api: ReturnType<typeof createApiClient>;
  let ops: ReturnType<typeof createApiClient>;
  let publishDir: string;
  let gatewayPort: number;

  before(async () => {
    await createDatabase(id);
    publishDir = await mkdtemp(join(tmpdir(), 'pressroom-faults-'));
    proxies.gatewayAmqp = await startTcpProxy(hostPort(BASE_URLS.rabbitmq));
    proxies.workersAmqp = await startTcpProxy(hostPort(BASE_URLS.rabbitmq));
    proxies.gatewayPg = await startTcpProxy(hostPort(BASE_URLS.postgres));
    proxies.workersRedis = await startTcpProxy(hostPort(BASE_URLS.redis));
    const ports = { GATEWAY_PORT: await freePort(), RESEARCH_PORT: await freePort(), LLM_PORT: await freePort(), PUBLISHER_PORT: await freePort() };
    gatewayPort = ports.GATEWAY_PORT;
    const base = testEnv(id, { PUBLISH_DIR: publishDir, AMQP_HEARTBEAT_S: '2', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) });
    const gatewayEnv = { ...base, RABBITMQ_URL: proxies.gatewayAmqp.url(BASE_URLS.rabbitmq), DATABASE_URL: proxies.gatewayPg.url(databaseUrl(id)) };
    const workerEnv = { ...base, RABBITMQ_URL: proxies.workersAmqp.url(BASE_URLS.rabbitmq), REDIS_URL: proxies.workersRedis.url(BASE_URLS.redis) };
    services = {
      gateway: await startService('gateway', gatewayEnv, ports.GATEWAY_PORT),
      research: await startService('research', workerEnv, ports.RESEARCH_PORT),
      llm: await startService('llm', workerEnv, ports.LLM_PORT),
      publisher: await startService('publisher', workerEnv, ports.PUBLISHER_PORT),
    };
    api = createApiClient(`http://127.0.0.1:${ports.GATEWAY_PORT}`);
    ops = createApiClient(`http://127.0.0.1:${services.gateway!.opsPort}`);
  });

  after(async () => {
    for (const p of Object.values(proxies)) p.restore();
    const codes = await Promise.all(Object.values(services).map((s) => s.stop()));
    for (const p of Object.values(proxies)) await p.close();
    await cleanupBroker(id);
    await cleanupRedis(id);
    await dropDatabase(id);
    await rm(publishDir, { recursive: true, force: true });
    const failed = Object.values(services).filter((_, i) => codes[i] !== 0);
    assert.deepEqual(
      codes,
      [0, 0, 0, 0],
      `every service survived and exits 0 on SIGTERM; ${failed.map((s) => `${s.name} wrote:\n${s.output.join('').slice(-3000)}`).join('\n')}`,
    );
  });

  // A test that fails while a link is cut must not leave it cut for the next one.
  afterEach(() => {
    for (const p of Object.values(proxies)) p.restore();
  });

  const status = async (token: string, rid: string) => (await api.call('GET', `/v1/requests/${rid}`, { token })).body.status as string;
  const allPublished = (token: string, ids: string[]) =>
    until(
      'every request published',
      async () => ((await Promise.all(ids.map((i) => status(token, i)))).every((s) => s === 'published') ? true : undefined),
      30_000,
    );

  it('when RabbitMQ is unreachable from the gateway, then submissions are still accepted, /readyz says so (degraded, still in rotation), and they are delivered when it returns', async () => {
    const user = await api.registerAndLogin();
    proxies.gatewayAmqp.cut();
    const ready = await until('gateway readiness to name RabbitMQ', async () => {
      const r = await ops.call('GET', '/readyz');
      return r.body.checks?.rabbitmq === 'failed' ? r : undefined;
    });
    assert.equal(ready.status, 200, 'the gateway serves every call without the broker: it stays in its Service');
    assert.equal(ready.body.status, 'degraded');
    const ids: string[] = [];
    for (const topic of ['coral reefs', 'tea processing', 'volcanoes']) {
      const res = await api.call('POST', '/v1/requests', { token: user.access, body: { topic } });
      assert.equal(res.status, 202);
      ids.push(res.body.id);
    }
    assert.deepEqual(await Promise.all(ids.map((i) => status(user.access, i))), ['queued', 'queued', 'queued']);
    proxies.gatewayAmqp.restore();
    await allPublished(user.access, ids);
    // /readyz reuses its answer for a second: the recovery is awaited, not assumed.
    await until('gateway readiness to recover', async () => ((await ops.call('GET', '/readyz')).body.status === 'ready' ? true : undefined));
  });

  it('when PostgreSQL is unreachable, then the API answers 503 unavailable (problem+json) and recovers by itself', async () => {
    const user = await api.registerAndLogin();
    proxies.gatewayPg.cut();
    const down = await api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'solar panels' } });
    assert.equal(down.status, 503);
    assert.equal(down.body.code, 'unavailable');
    assert.ok(down.headers.get('retry-after'));
    // /readyz reuses its answer for a second: the drop is awaited, not assumed.
    const ready = await until('gateway readiness to name PostgreSQL', async () => {
      const r = await ops.call('GET', '/readyz');
      return r.status === 503 && r.body.checks?.postgres === 'failed' ? r : undefined;
    });
    assert.equal(ready.body.checks.postgres, 'failed');
    proxies.gatewayPg.restore();
    const res = await until('the database to answer again', async () => {
      const r = await api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'solar panels' } });
      return r.status === 202 ? r : undefined;
    });
    await allPublished(user.access, [res.body.id]);
  });

  it('when RabbitMQ is unreachable from the workers, then tasks wait in their queues and complete after the workers reconnect', async () => {
    const user = await api.registerAndLogin();
    proxies.workersAmqp.cut();
    await until('research readiness to drop', async () =>
      (await fetch(`http://127.0.0.1:${services['research']!.port}/readyz`)).status === 503 ? true : undefined,
    );
    const ids: string[] = [];
    for (const topic of ['bird migration', 'composting']) ids.push((await api.call('POST', '/v1/requests', { token: user.access, body: { topic } })).body.id);
    proxies.workersAmqp.restore();
    await allPublished(user.access, ids);
  });

  it('when Redis is unreachable from the workers, then publishing waits (it never posts blind) and completes when Redis returns', async () => {
    const user = await api.registerAndLogin();
    proxies.workersRedis.cut();
    const res = await api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'marathon training' } });
    await until('the publish stage to retry', async () => {
      const r = (await api.call('GET', `/v1/requests/${res.body.id}`, { token: user.access })).body;
      return r.stages[2].status === 'retrying' ? r : undefined;
    });
    proxies.workersRedis.restore();
    await allPublished(user.access, [res.body.id]);
    const done = (await api.call('GET', `/v1/requests/${res.body.id}`, { token: user.access })).body;
    // Put back while Redis was away, without spending an attempt: Redis's outage is not the request's failure.
    assert.equal(done.stages[2].attempts, 1);
  });

  it('after all of it, every service still answers its health check', async () => {
    for (const s of Object.values(services)) assert.equal((await fetch(`http://127.0.0.1:${s.opsPort}/healthz`)).status, 200, s.name);
    assert.equal(gatewayPort, services['gateway']!.port);
  });
});
