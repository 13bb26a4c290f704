import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { BASE_URLS } from '@pressroom/test-support';
import { startTestGateway } from '../support/gateway-harness.ts';

let nextIp = 1;
/** Each scenario comes from its own client address (one trusted proxy hop), so counters never mix. */
const freshIp = () => `198.51.100.${nextIp++}`;

describe('API2:2023 Broken Authentication: brute-force throttling of sign-in', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    h = await startTestGateway({ TRUST_PROXY_HOPS: '1', LOGIN_FAILURES_PER_ACCOUNT: '5', LOGIN_FAILURES_PER_IP: '8', LOGIN_FAILURE_WINDOW_S: '900' }, 'secthr');
  });
  after(() => h.close());

  const login = (email: string, password: string, ip: string) =>
    h.api.call('POST', '/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

  it('when an account has 5 failed logins within the window, then the next attempt is 429 with Retry-After, even with the right password', async () => {
    const u = await h.api.registerAndLogin();
    for (let i = 0; i < 5; i++) assert.equal((await login(u.email, `wrong password ${i}`, freshIp())).status, 401, `failure ${i + 1}`);
    const locked = await login(u.email, u.password, freshIp());
    assert.equal(locked.status, 429);
    assert.equal(locked.body.code, 'rate_limited');
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);
    assert.match(locked.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).status, 200, 'existing sessions are not affected');
  });

  it('when 20 wrong passwords for one account arrive at once, then at most 5 get a verdict and the rest are 429', async () => {
    const u = await h.api.registerAndLogin();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(u.email, `concurrent guess ${i}`, freshIp())));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 5, `statuses ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 15);
    assert.equal((await login(u.email, u.password, freshIp())).status, 429, 'the right password waits for the window too');
  });

  it('when the email does not exist, then the throttle answers exactly as for an existing account (no enumeration)', async () => {
    const u = await h.api.registerAndLogin();
    const ghost = `ghost-${Date.now()}@example.com`;
    const known: Array<{ status: number; detail: string }> = [];
    const unknown: Array<{ status: number; detail: string }> = [];
    for (let i = 0; i < 6; i++) {
      const a = await login(u.email, 'wrong password', freshIp());
      const b = await login(ghost, 'wrong password', freshIp());
      known.push({ status: a.status, detail: a.body.detail });
      unknown.push({ status: b.status, detail: b.body.detail });
    }
    assert.deepEqual(unknown, known);
    assert.deepEqual(
      known.map((r) => r.status),
      [401, 401, 401, 401, 401, 429],
    );
  });

  it('when one client fails against many accounts, then that client is throttled and others are not', async () => {
    const attacker = freshIp();
    for (let i = 0; i < 8; i++) assert.equal((await login(`victim${i}-${Date.now()}@example.com`, 'guess', attacker)).status, 401);
    const u = await h.api.registerAndLogin();
    assert.equal((await login(u.email, u.password, attacker)).status, 429, 'the attacking address is throttled');
    assert.equal((await login(u.email, u.password, freshIp())).status, 200, 'another address signs in normally');
  });

  it('when many people sign in at once from one address (an office behind NAT), then none is refused for being many', async () => {
    const office = freshIp();
    const users = await Promise.all(Array.from({ length: 12 }, () => h.api.registerAndLogin()));
    const answers = await Promise.all(users.map((u) => login(u.email, u.password, office)));
    assert.deepEqual(
      answers.map((r) => r.status),
      users.map(() => 200),
      'more concurrent sign-ins than LOGIN_FAILURES_PER_IP (8), all right',
    );
  });

  it('when a login succeeds, then the account count starts again', async () => {
    const u = await h.api.registerAndLogin();
    for (let i = 0; i < 4; i++) await login(u.email, 'wrong password', freshIp());
    assert.equal((await login(u.email, u.password, freshIp())).status, 200);
    for (let i = 0; i < 4; i++) assert.equal((await login(u.email, 'wrong password', freshIp())).status, 401);
  });

  it('when password changes fail repeatedly, then they count against the same account throttle', async () => {
    const u = await h.api.registerAndLogin();
    for (let i = 0; i < 5; i++)
      await h.api.call('POST', '/v1/auth/password', {
        token: u.access,
        body: { current_password: `guess ${i}`, new_password: 'a brand new password' },
        headers: { 'x-forwarded-for': freshIp() },
      });
    const res = await h.api.call('POST', '/v1/auth/password', {
      token: u.access,
      body: { current_password: u.password, new_password: 'a brand new password' },
      headers: { 'x-forwarded-for': freshIp() },
    });
    assert.equal(res.status, 429);
  });

  it('when counters are kept in Redis, then their keys hold no email address', async () => {
    const redis = new Redis(BASE_URLS.redis);
    try {
      const keys = await redis.keys(`${h.config.REDIS_KEY_PREFIX}login:*`);
      assert.ok(keys.length > 0);
      for (const k of keys) assert.doesNotMatch(k, /@/);
    } finally {
      redis.disconnect();
    }
  });
});
