import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { BASE_URLS, pollUntil } from '@pressroom/test-support';
import { freePort } from '../../../../test/support/services.ts';
import { captureLogs, startTestGateway } from '../support/gateway-harness.ts';

/** Stands in for Redis on `port` by piping to the real one; closing it leaves a closed port (Redis down). */
async function redisProxy(port: number) {
  const target = new URL(BASE_URLS.redis);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return () => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  };
}

const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => pollUntil(what, probe, { timeoutMs: 10_000, intervalMs: 50 });

describe('Redis unreachable: rate limits fail open, sessions and quotas never do', () => {
  const logs = captureLogs('warn');
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let redisPort: number;
  let closeProxy: (() => Promise<void>) | undefined;
  // The gateway waits for Redis at start-up (STARTUP_WAIT_S), so it starts with the proxy open, which then closes.
  before(async () => {
    redisPort = await freePort();
    const closeAtStart = await redisProxy(redisPort);
    h = await startTestGateway(
      {
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        RATE_LIMIT_IP_PER_HOUR: '3',
        RATE_LIMIT_USER_PER_HOUR: '3',
        RATE_LIMIT_AUTH_PER_HOUR: '3',
        DAILY_REQUEST_QUOTA: '1',
      },
      'secrdn',
      { logger: logs.logger },
    );
    await closeAtStart();
    await until('readiness to see Redis gone', async () => ((await h.ops.call('GET', '/readyz')).body.checks.redis === 'failed' ? true : undefined));
  });
  after(async () => {
    await closeProxy?.();
    await h.close();
  });

  it('when Redis is down, then requests beyond the limits still succeed, the gateway stays up and in rotation, and readiness names Redis', async () => {
    assert.equal((await h.ops.call('GET', '/healthz')).status, 200);
    const ready = await h.ops.call('GET', '/readyz');
    assert.equal(ready.status, 200, 'a replica that serves every call is not taken out of its Service');
    assert.deepEqual(ready.body, { status: 'degraded', checks: { startup: 'ok', postgres: 'ok', rabbitmq: 'ok', redis: 'failed' } });
    const u = await h.api.registerAndLogin();
    for (let i = 0; i < 5; i++) {
      const res = await h.api.call('GET', '/v1/me', { token: u.access });
      assert.equal(res.status, 200, 'past RATE_LIMIT_*=3: limits fail open');
      assert.equal(res.headers.get('ratelimit'), null, 'nothing was counted');
    }
    for (let i = 0; i < 6; i++)
      assert.equal(
        (await h.api.call('POST', '/v1/auth/login', { body: { email: u.email, password: 'wrong password' } })).status,
        401,
        'the login throttle fails open too',
      );
    const metrics = await h.ops.call('GET', '/metrics');
    assert.match(metrics.body, /pressroom_rate_limit_store_errors_total\{[^}]*limiter="ip"[^}]*\} [1-9]/);
    assert.match(metrics.body, /pressroom_rate_limit_store_errors_total\{[^}]*limiter="login"[^}]*\} [1-9]/);
    assert.ok(
      logs.records().some((r) => r['level'] === 'warn' && r['limiter'] === 'ip'),
      'a warn line names the limiter',
    );
  });

  it('when Redis is down, then a revoked token is still refused and the daily quota still holds (both live in PostgreSQL)', async () => {
    const u = await h.api.registerAndLogin();
    assert.equal((await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'redis is down' } })).status, 202);
    const over = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'one too many' } });
    assert.equal(over.status, 429);
    assert.equal(over.body.code, 'quota_exceeded');
    assert.equal((await h.api.call('POST', '/v1/auth/logout', { token: u.access })).status, 204);
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).status, 401);
    assert.equal((await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh } })).status, 401);
  });

  it('when Redis is down, then calls without a credential past RATE_LIMIT_IP_PER_HOUR are still 401, uncounted (the refusal fast path fails open too)', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await h.api.call('GET', '/v1/me');
      assert.equal(res.status, 401, 'past RATE_LIMIT_IP_PER_HOUR=3: the IP budget fails open');
      assert.equal(res.headers.get('ratelimit'), null, 'nothing was counted');
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
  });

  it('when Redis comes back, then limiting resumes without a restart', async () => {
    closeProxy = await redisProxy(redisPort);
    await until('readiness', async () => ((await h.ops.call('GET', '/readyz')).body.status === 'ready' ? true : undefined));
    const counted = await until('a counted request', async () => {
      const res = await h.api.call('GET', '/v1/me');
      return res.headers.get('ratelimit') ?? undefined;
    });
    assert.match(counted, /"ip"; r=\d+/);
    const limited = await until('the limit', async () => ((await h.api.call('GET', '/v1/me')).status === 429 ? true : undefined));
    assert.equal(limited, true);
  });
});
