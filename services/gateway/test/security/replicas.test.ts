import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cleanupBroker, cleanupRedis, createDatabase, dropDatabase, testEnv, testId } from '@pressroom/test-support';
import { freePort, startService, type ServiceProcess } from '../../../../test/support/services.ts';
import { createApiClient } from '../support/gateway-harness.ts';

const remaining = (header: string | null) => Number(/"ip"; r=(\d+)/.exec(header ?? '')?.[1] ?? NaN);

describe('two gateway processes sharing PostgreSQL and Redis', () => {
  const id = testId('secrep');
  let a: ServiceProcess;
  let b: ServiceProcess;
  before(async () => {
    await createDatabase(id);
    // Default TRUST_PROXY_HOPS=0: X-Forwarded-For from the client is ignored entirely.
    const env = testEnv(id, { RATE_LIMIT_IP_PER_HOUR: '10', RATE_LIMIT_USER_PER_HOUR: '100', RATE_LIMIT_AUTH_PER_HOUR: '100' });
    const [pa, pb] = [await freePort(), await freePort()];
    // Started together: migrations under the advisory lock must not race either.
    [a, b] = await Promise.all([
      startService('gateway', { ...env, GATEWAY_PORT: String(pa) }, pa),
      startService('gateway', { ...env, GATEWAY_PORT: String(pb) }, pb),
    ]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cleanupBroker(id);
    await cleanupRedis(id);
    await dropDatabase(id);
  });

  it('API2:2023 when a session is logged out on one replica, then its token is refused on the other at once', async () => {
    const apiA = createApiClient(`http://127.0.0.1:${a.port}`);
    const apiB = createApiClient(`http://127.0.0.1:${b.port}`);
    const email = `replica-${randomUUID()}@example.com`;
    assert.equal((await apiA.call('POST', '/v1/auth/register', { body: { email, password: 'replica password' } })).status, 201);
    const tokens = (await apiB.call('POST', '/v1/auth/login', { body: { email, password: 'replica password' } })).body;
    assert.equal((await apiA.call('GET', '/v1/me', { token: tokens.access_token })).status, 200);
    assert.equal((await apiB.call('POST', '/v1/auth/logout', { token: tokens.access_token })).status, 204);
    assert.equal((await apiA.call('GET', '/v1/me', { token: tokens.access_token })).status, 401);
  });

  it('API4:2023 when requests alternate between replicas, then they draw on one shared limit, and forged X-Forwarded-For buys nothing', async () => {
    const apis = [createApiClient(`http://127.0.0.1:${a.port}`), createApiClient(`http://127.0.0.1:${b.port}`)];
    const seen: number[] = [];
    for (let i = 0; ; i++) {
      const res = await apis[i % 2]!.call('GET', '/v1/me', { headers: { 'x-forwarded-for': `10.0.${i}.${i}` } });
      if (res.status === 429) {
        assert.equal(res.body.code, 'rate_limited');
        break;
      }
      seen.push(remaining(res.headers.get('ratelimit')));
      assert.ok(i < 10, 'the limit of 10 must hold across both replicas');
    }
    assert.equal(seen.at(-1), 0);
    assert.deepEqual(
      seen,
      seen.map((_, i) => seen[0]! - i),
      'each request, on either replica, takes the next unit of the same bucket',
    );
    for (const api of apis) assert.equal((await api.call('GET', '/v1/me')).status, 429, 'both replicas refuse now');
  });
});
