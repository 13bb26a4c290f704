import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestGateway } from '../support/gateway-harness.ts';

let n = 1;
/** One trusted proxy hop: the last X-Forwarded-For entry is the client. */
const freshIp = () => `192.0.2.${n++}`;

describe('API2:2023 Broken Authentication: session hygiene', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    // A small sign-in bucket, to show what stays out of it.
    h = await startTestGateway({ TRUST_PROXY_HOPS: '1', RATE_LIMIT_AUTH_PER_HOUR: '4', REFRESH_REUSE_GRACE_S: '10' }, 'sechyg');
  });
  after(() => h.close());

  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const signUp = async (ip: string) => {
    const email = `hyg-${n}-${Date.now()}@example.com`;
    await h.api.call('POST', '/v1/auth/register', { body: { email, password: 'correct horse battery' }, headers: from(freshIp()) });
    const login = await h.api.call('POST', '/v1/auth/login', { body: { email, password: 'correct horse battery' }, headers: from(ip) });
    assert.equal(login.status, 200);
    return { email, access: login.body.access_token as string, refresh: login.body.refresh_token as string };
  };
  const refresh = (token: string, ip: string) => h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: token }, headers: from(ip) });

  it('when one address refreshes, logs out and changes passwords, then its sign-in bucket is untouched and each session family has its own budget', async () => {
    const ip = freshIp();
    const u = await signUp(ip);
    let token = u.refresh;
    for (let i = 0; i < 4; i++) {
      const res = await refresh(token, ip);
      assert.equal(res.status, 200, `refresh ${i + 1}`);
      assert.equal(res.headers.get('ratelimit-policy')?.includes('"auth"') ?? false, false, 'refresh is not in the sign-in bucket');
      token = res.body.refresh_token;
    }
    const over = await refresh(token, ip);
    assert.equal(over.status, 429, 'the family budget (4 per hour) is spent');
    assert.match(over.body.detail, /session limit/);
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    const again = await h.api.call('POST', '/v1/auth/login', { body: { email: u.email, password: 'correct horse battery' }, headers: from(ip) });
    assert.equal(again.status, 200, 'the same address still signs in: 2 of its 4 sign-ins used');
    assert.equal((await refresh(again.body.refresh_token, ip)).status, 200, 'a new family has its own budget');
    assert.equal((await h.api.call('POST', '/v1/auth/logout', { token: again.body.access_token, body: {}, headers: from(ip) })).status, 204);
  });

  it('when two tabs refresh with the same token at once, then both get the same successor and the session lives on', async () => {
    const u = await signUp(freshIp());
    const [a, b] = await Promise.all([refresh(u.refresh, freshIp()), refresh(u.refresh, freshIp())]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(a.body.refresh_token, b.body.refresh_token, 'one successor');
    assert.equal((await h.api.call('GET', '/v1/me', { token: b.body.access_token })).status, 200);
    const next = await refresh(a.body.refresh_token, freshIp());
    assert.equal(next.status, 200, 'the successor rotates normally');
    const { rows } = await h.gateway.deps.db.query<{ refresh_token_hash: Buffer }>(
      'SELECT s.refresh_token_hash FROM user_sessions s JOIN user_sessions p ON p.replaced_by = s.id WHERE p.refresh_token_hash = $1',
      [createHash('sha256').update(u.refresh).digest()],
    );
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.refresh_token_hash, createHash('sha256').update(a.body.refresh_token).digest(), 'only the hash of the successor is stored');
    const dump = JSON.stringify((await h.gateway.deps.db.query('SELECT * FROM user_sessions')).rows);
    assert.ok(!dump.includes(a.body.refresh_token), 'no successor in plaintext');
  });

  it('when a spent token comes back after the grace window, then the whole family is revoked', async () => {
    const u = await signUp(freshIp());
    const rotated = await refresh(u.refresh, freshIp());
    assert.equal(rotated.status, 200);
    const within = await refresh(u.refresh, freshIp());
    assert.equal(within.status, 200, 'within the window');
    assert.equal(within.body.refresh_token, rotated.body.refresh_token);
    // The window ends: the spent token's use is moved back past it rather than waiting it out.
    await h.gateway.deps.db.query("UPDATE user_sessions SET used_at = used_at - interval '1 minute' WHERE refresh_token_hash = $1", [
      createHash('sha256').update(u.refresh).digest(),
    ]);
    const late = await refresh(u.refresh, freshIp());
    assert.equal(late.status, 401);
    assert.match(late.body.detail, /already used/);
    assert.equal((await refresh(rotated.body.refresh_token, freshIp())).status, 401, 'the successor dies with its family');
    assert.equal((await h.api.call('GET', '/v1/me', { token: rotated.body.access_token })).status, 401);
  });

  it("when the gateway's clock runs a minute behind the database's, then a spent token past the grace window still revokes the family", async () => {
    const u = await signUp(freshIp());
    assert.equal((await refresh(u.refresh, freshIp())).status, 200);
    await h.gateway.deps.db.query("UPDATE user_sessions SET used_at = used_at - interval '20 seconds' WHERE refresh_token_hash = $1", [
      createHash('sha256').update(u.refresh).digest(),
    ]);
    // Spent 20 s ago by the database's clock, past the 10 s window; by a gateway clock 60 s behind, "in the future".
    const realNow = Date.now;
    Date.now = () => realNow() - 60_000;
    let late;
    try {
      late = await refresh(u.refresh, freshIp());
    } finally {
      Date.now = realNow;
    }
    assert.equal(late.status, 401);
    assert.match(late.body.detail, /already used/);
  });

  it('when a user lists and revokes sessions, then only their own live ones are shown and a revoked one stops at once', async () => {
    const u = await signUp(freshIp());
    const second = await h.api.call('POST', '/v1/auth/login', { body: { email: u.email, password: 'correct horse battery' }, headers: from(freshIp()) });
    const stranger = await signUp(freshIp());
    const list = await h.api.call('GET', '/v1/auth/sessions', { token: u.access });
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 2);
    assert.equal(list.body.items.filter((s: { current: boolean }) => s.current).length, 1);
    const other = list.body.items.find((s: { current: boolean }) => !s.current);
    for (const k of ['id', 'created_at', 'last_used_at', 'expires_at', 'current']) assert.ok(k in other, k);

    const strangers = (await h.api.call('GET', '/v1/auth/sessions', { token: stranger.access })).body.items;
    assert.equal((await h.api.call('DELETE', `/v1/auth/sessions/${strangers[0].id}`, { token: u.access })).status, 404, "another user's session is not found");
    assert.equal((await h.api.call('GET', '/v1/me', { token: stranger.access })).status, 200);

    assert.equal((await h.api.call('DELETE', `/v1/auth/sessions/${other.id}`, { token: u.access })).status, 204);
    assert.equal((await h.api.call('GET', '/v1/me', { token: second.body.access_token })).status, 401);
    assert.equal((await refresh(second.body.refresh_token, freshIp())).status, 401);
    assert.equal((await h.api.call('GET', '/v1/auth/sessions', { token: u.access })).body.items.length, 1);
    assert.equal((await h.api.call('DELETE', `/v1/auth/sessions/${other.id}`, { token: u.access })).status, 404, 'already ended');
  });
});
