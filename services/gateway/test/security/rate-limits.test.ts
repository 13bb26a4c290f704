import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { BASE_URLS } from '@pressroom/test-support';
import { startTestGateway } from '../support/gateway-harness.ts';

let n = 1;
/** One trusted proxy hop: the last X-Forwarded-For entry is the client. Each scenario gets its own client. */
const freshIp = () => `203.0.113.${n++}`;
const remaining = (header: string | null, name: string) => Number(new RegExp(`"${name}"; r=(\\d+)`).exec(header ?? '')?.[1] ?? NaN);
const partition = (header: string | null, name: string) => new RegExp(`"${name}"; q=\\d+; w=\\d+; pk=:([^:]+):`).exec(header ?? '')?.[1];

describe('API4:2023 Unrestricted Resource Consumption: rate limits', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    h = await startTestGateway(
      {
        TRUST_PROXY_HOPS: '1',
        RATE_LIMIT_IP_PER_HOUR: '6',
        RATE_LIMIT_USER_PER_HOUR: '4',
        RATE_LIMIT_AUTH_PER_HOUR: '3',
        RATE_LIMIT_USER_READS_PER_HOUR: '4',
        RATE_LIMIT_IP_AUTHENTICATED_PER_HOUR: '6',
        DAILY_REQUEST_QUOTA: '50',
      },
      'secrl',
    );
  });
  after(() => h.close());

  const from = (ip: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...extra });
  const newUser = () => h.api.registerAndLogin(undefined, undefined, from(freshIp()));
  const get = (path: string, ip: string, token?: string) => h.api.call('GET', path, { headers: from(ip), ...(token ? { token } : {}) });

  it('when one IP exceeds RATE_LIMIT_IP_PER_HOUR, then 429 rate_limited problem+json with Retry-After and draft-8 RateLimit headers', async () => {
    const ip = freshIp();
    for (let i = 1; i <= 6; i++) {
      const res = await get('/v1/me', ip);
      assert.equal(res.status, 401);
      assert.equal(remaining(res.headers.get('ratelimit'), 'ip'), 6 - i);
      assert.match(res.headers.get('ratelimit-policy') ?? '', /^"ip"; q=6; w=3600; pk=:/);
      assert.equal(res.headers.get('x-ratelimit-limit'), null, 'no legacy headers');
    }
    const limited = await get('/v1/me', ip);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'rate_limited');
    assert.match(limited.headers.get('content-type') ?? '', /application\/problem\+json/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    assert.equal((await get('/v1/me', freshIp())).status, 401, 'another client is unaffected');
    const metrics = await h.ops.call('GET', '/metrics');
    assert.match(metrics.body, /pressroom_rate_limited_total\{[^}]*limiter="ip"[^}]*\} [1-9]/);
  });

  it('when one user exceeds RATE_LIMIT_USER_PER_HOUR with submissions and cancels from many addresses, then 429 by the user limiter; reads keep their own budget', async () => {
    const u = await newUser();
    const submit = () => h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'honeybees' }, headers: from(freshIp()) });
    const first = await submit();
    assert.equal(first.status, 202);
    assert.equal(remaining(first.headers.get('ratelimit'), 'user'), 3);
    const cancelled = await h.api.call('POST', `/v1/requests/${first.body.id}/cancel`, { token: u.access, headers: from(freshIp()) });
    assert.equal(cancelled.status, 202);
    assert.equal(remaining(cancelled.headers.get('ratelimit'), 'user'), 2, 'a cancel spends the same budget');
    for (let i = 0; i < 2; i++) assert.equal((await submit()).status, 202);
    const limited = await submit();
    assert.equal(limited.status, 429);
    assert.match(limited.body.detail, /user limit/);
    const read = await get('/v1/requests', freshIp(), u.access);
    assert.equal(read.status, 200, 'reads are not submissions');
    assert.equal(remaining(read.headers.get('ratelimit'), 'user-reads'), 3);
    assert.doesNotMatch(read.headers.get('ratelimit-policy') ?? '', /"user";/, 'a read is not charged to the submission budget');
    assert.equal(
      (await h.api.call('POST', '/v1/requests', { token: (await newUser()).access, body: { topic: 'honeybees' }, headers: from(freshIp()) })).status,
      202,
      'another user is unaffected',
    );
  });

  it('when one user exceeds RATE_LIMIT_USER_READS_PER_HOUR, then reads are 429 by the user-reads limiter', async () => {
    const u = await newUser();
    for (let i = 1; i <= 4; i++) {
      const res = await get('/v1/me', freshIp(), u.access);
      assert.equal(res.status, 200);
      assert.equal(remaining(res.headers.get('ratelimit'), 'user-reads'), 4 - i);
    }
    const limited = await get('/v1/me', freshIp(), u.access);
    assert.equal(limited.status, 429);
    assert.match(limited.body.detail, /user-reads limit of 4/);
  });

  it('when a call is authenticated, then each budget is its own policy with its values: per-address ceiling and the user budget, and a submission also shows the daily quota', async () => {
    const ip = freshIp();
    const u = await newUser();
    const read = await get('/v1/me', ip, u.access);
    const policies = (read.headers.get('ratelimit-policy') ?? '').split(/,\s*/).map((p) => /^"([^"]+)"/.exec(p)?.[1]);
    assert.deepEqual(policies.sort(), ['ip-authenticated', 'user-reads']);
    assert.match(read.headers.get('ratelimit-policy') ?? '', /"ip-authenticated"; q=6; w=3600/);
    assert.match(read.headers.get('ratelimit-policy') ?? '', /"user-reads"; q=4; w=3600/);
    assert.equal(remaining(read.headers.get('ratelimit'), 'ip-authenticated'), 5);
    const submit = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'honeybees' }, headers: from(ip) });
    assert.match(submit.headers.get('ratelimit-policy') ?? '', /"user"; q=4; w=3600/);
    assert.match(submit.headers.get('ratelimit-policy') ?? '', /"quota"; q=50; w=86400/);
    assert.equal(remaining(submit.headers.get('ratelimit'), 'quota'), 49);
    assert.ok(Number(/"quota"; r=\d+; t=(\d+)/.exec(submit.headers.get('ratelimit') ?? '')?.[1]) <= 86400);
  });

  it('when many accounts call from one address, then RATE_LIMIT_IP_AUTHENTICATED_PER_HOUR caps them together; anonymous calls from it have their own budget', async () => {
    const ip = freshIp();
    const users = [await newUser(), await newUser(), await newUser()];
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get('/v1/me', ip, users[i % 3]!.access)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429]);
    const anonymous = await get('/v1/me', ip);
    assert.equal(anonymous.status, 401, 'calls without a credential are counted apart');
    assert.equal(remaining(anonymous.headers.get('ratelimit'), 'ip'), 5);
  });

  it('when a credential is refused, then the call counts against the per-IP budget like an anonymous one', async () => {
    const ip = freshIp();
    const results: Array<[number, number]> = [];
    for (const token of ['not.a.jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged', 'prs_unknownkey0000000000000000']) {
      const res = await get('/v1/me', ip, token);
      results.push([res.status, remaining(res.headers.get('ratelimit'), 'ip')]);
    }
    assert.deepEqual(results, [
      [401, 5],
      [401, 4],
      [401, 3],
    ]);
    const u = await newUser();
    assert.equal((await get('/v1/me', ip, u.access)).status, 200, 'a valid credential from that address is not charged to it');
  });

  it("when an address has spent its budget on made-up API keys, then its API-key calls are refused without a look-up (a valid key waits for the window too), while its JWT calls and other addresses' keys are served", async () => {
    const u = await newUser();
    const created = await h.api.call('POST', '/v1/api-keys', { token: u.access, body: { name: 'flood test' }, headers: from(freshIp()) });
    assert.equal(created.status, 201);
    const ip = freshIp();
    const madeUp = (i: number) => `prs_${'x'.repeat(40)}${String(i).padStart(3, '0')}`;
    for (let i = 0; i < 6; i++) assert.equal((await get('/v1/requests', ip, madeUp(i))).status, 401);
    assert.equal((await get('/v1/requests', ip, madeUp(6))).status, 429);
    const valid = await get('/v1/requests', ip, created.body.key);
    assert.equal(valid.status, 429, 'refused before PostgreSQL is asked about the key');
    assert.equal(valid.body.code, 'rate_limited');
    assert.match(valid.headers.get('ratelimit-policy') ?? '', /^"ip"; q=6; w=3600; pk=:/);
    assert.ok(Number(valid.headers.get('retry-after')) > 0);
    assert.equal((await get('/v1/requests', freshIp(), created.body.key)).status, 200, 'the key from another address');
    assert.equal((await get('/v1/requests', ip, u.access)).status, 200, 'a JWT from the spent address is still checked, and served');
  });

  it('when users behind one address refresh their sessions, then valid refreshes spend no per-IP budget; refused refresh tokens do', async () => {
    const ip = freshIp();
    const users = [];
    for (let i = 0; i < 7; i++) users.push(await newUser());
    for (const u of users) {
      const res = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh }, headers: from(ip) });
      assert.equal(res.status, 200, 'seven refreshes from one address, past RATE_LIMIT_IP_PER_HOUR=6');
      assert.doesNotMatch(res.headers.get('ratelimit-policy') ?? '', /"ip"/);
    }
    const refused = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: 'not-a-refresh-token-000000000000' }, headers: from(ip) });
    assert.equal(refused.status, 401);
    assert.equal(remaining(refused.headers.get('ratelimit'), 'ip'), 5, 'a refused refresh token counts like a refused Authorization header');
    // Once the address has spent it, a refresh is refused before its token is looked up, a valid one too.
    for (let i = 0; i < 5; i++) assert.equal((await get('/v1/me', ip)).status, 401);
    assert.equal((await get('/v1/me', ip)).status, 429);
    const fresh = await newUser();
    const spent = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: fresh.refresh }, headers: from(ip) });
    assert.equal(spent.status, 429);
    assert.equal(spent.body.code, 'rate_limited');
  });

  it('when the auth endpoints are called, then the stricter RATE_LIMIT_AUTH_PER_HOUR applies, and path spellings share its bucket', async () => {
    const ip = freshIp();
    const paths = ['/V1/AUTH/LOGIN', '/v1/auth/login/', '/v1/%61uth/%6Cogin'];
    for (const [i, path] of paths.entries()) {
      const res = await h.api.call('POST', path, { body: { email: 'nobody@example.com', password: 'whatever' }, headers: from(ip) });
      assert.equal(res.status, 401, `${path} reaches the login handler`);
      assert.equal(remaining(res.headers.get('ratelimit'), 'auth'), 2 - i, path);
    }
    const limited = await h.api.call('POST', '/v1/auth/register', { body: { email: 'new@example.com', password: 'long enough password' }, headers: from(ip) });
    assert.equal(limited.status, 429);
    assert.match(limited.body.detail, /auth limit/);
    assert.equal((await get('/v1/me', ip)).status, 401, 'the IP limit (6) is not yet used up: only auth routes are refused');
  });

  it('when case, trailing-slash and encoded variants of a path are used, then they reach one handler and count against the same buckets', async () => {
    const u = await newUser();
    const ip = freshIp();
    const seen: Array<[number, number, number]> = [];
    for (const path of ['/V1/REQUESTS/', '/v1/requests/', '/v1/%72equests', '//v1//requests']) {
      const res = await get(path, ip, u.access);
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.body.items, [], path);
      seen.push([res.status, remaining(res.headers.get('ratelimit'), 'ip-authenticated'), remaining(res.headers.get('ratelimit'), 'user-reads')]);
    }
    assert.deepEqual(seen, [
      [200, 5, 3],
      [200, 4, 2],
      [200, 3, 1],
      [200, 2, 0],
    ]);
  });

  it('when the operations endpoints and /openapi.json are called any number of times, then they are never limited nor counted', async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) {
      for (const path of ['/healthz', '/readyz', '/metrics', '/HEALTHZ']) {
        const res = await h.ops.call('GET', path, { headers: from(ip) });
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('ratelimit'), null, path);
      }
      const spec = await get('/openapi.json', ip);
      assert.equal(spec.status, 200);
      assert.equal(spec.headers.get('ratelimit'), null);
    }
    assert.equal(remaining((await get('/v1/me', ip)).headers.get('ratelimit'), 'ip'), 5, 'the first counted request of this client');
  });

  it('when a client forges X-Forwarded-For entries, then only the trusted hop counts and no new bucket is bought', async () => {
    const real = freshIp();
    const results: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await h.api.call('GET', '/v1/me', { headers: { 'x-forwarded-for': `10.9.8.${i}, 192.0.2.${i}, ${real}` } });
      results.push(res.status);
    }
    assert.deepEqual(results, [401, 401, 401, 401, 401, 401, 429]);
  });

  it('when IPv6 clients share a /56, then they share a bucket; another /56 gets its own', async () => {
    const a = await get('/v1/me', '2001:db8:abcd:1200::1');
    const b = await get('/v1/me', '2001:db8:abcd:12ff:ffff::2');
    const c = await get('/v1/me', '2001:db8:abcd:1300::1');
    assert.equal(partition(a.headers.get('ratelimit-policy'), 'ip'), partition(b.headers.get('ratelimit-policy'), 'ip'));
    assert.notEqual(partition(a.headers.get('ratelimit-policy'), 'ip'), partition(c.headers.get('ratelimit-policy'), 'ip'));
    assert.deepEqual(
      [remaining(a.headers.get('ratelimit'), 'ip'), remaining(b.headers.get('ratelimit'), 'ip'), remaining(c.headers.get('ratelimit'), 'ip')],
      [5, 4, 5],
    );
  });

  it('when counters are written, then they live under REDIS_KEY_PREFIX exactly once (rl:<limiter>:<client>)', async () => {
    const redis = new Redis(BASE_URLS.redis);
    try {
      const keys = await redis.keys(`*${h.id}*`);
      const rl = keys.filter((k) => k.includes(':rl:'));
      assert.ok(
        rl.some((k) => k === `${h.config.REDIS_KEY_PREFIX}rl:ip:203.0.113.1`),
        rl.join(', '),
      );
      assert.ok(rl.some((k) => k.startsWith(`${h.config.REDIS_KEY_PREFIX}rl:user:`)));
      assert.ok(rl.some((k) => k.startsWith(`${h.config.REDIS_KEY_PREFIX}rl:auth:`)));
      for (const k of rl) assert.equal(k.split(h.config.REDIS_KEY_PREFIX).length, 2, `single prefix: ${k}`);
      const ttl = await redis.pttl(`${h.config.REDIS_KEY_PREFIX}rl:ip:203.0.113.1`);
      assert.ok(ttl > 0 && ttl <= 3_600_000, 'the window expires by itself');
    } finally {
      redis.disconnect();
    }
  });
});
