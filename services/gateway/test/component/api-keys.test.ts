import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../support/gateway-harness.ts';

describe('API keys (real PostgreSQL, Redis, RabbitMQ)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let admin: Awaited<ReturnType<typeof h.api.registerAndLogin>>;
  before(async () => {
    h = await startTestGateway({}, 'keys');
    admin = await h.api.registerAndLogin();
    await h.gateway.deps.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [admin.userId]);
  });
  after(() => h.close());

  const createKey = async (token: string, body: Record<string, unknown> = { name: 'ci bot' }) => {
    const res = await h.api.call('POST', '/v1/api-keys', { token, body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; key: string; prefix: string; scopes: string[] };
  };

  it('when a key is created, then it is shown once with the prs_ prefix, only its hash is stored, and it acts as its owner', async () => {
    const u = await h.api.registerAndLogin();
    const created = await createKey(u.access);
    assert.match(created.key, /^prs_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.prefix, created.key.slice(0, 12));
    assert.deepEqual(created.scopes, ['requests:write', 'requests:read']);
    const stored = await h.gateway.deps.db.query('SELECT * FROM api_keys WHERE id = $1', [created.id]);
    assert.ok(!JSON.stringify(stored.rows).includes(created.key.slice(12)), 'the key is not stored');
    const listed = await h.api.call('GET', '/v1/api-keys', { token: u.access });
    assert.equal(listed.body.items[0].prefix, created.prefix);
    assert.equal(listed.body.items[0].key, undefined, 'lists never show the key');

    const submitted = await h.api.call('POST', '/v1/requests', { token: created.key, body: { topic: 'machine credentials' } });
    assert.equal(submitted.status, 202);
    const mine = await h.api.call('GET', '/v1/requests', { token: u.access });
    assert.equal(mine.body.items[0].id, submitted.body.id, 'the request belongs to the key owner');
    const me = await h.api.call('GET', '/v1/me', { token: created.key });
    assert.equal(me.body.id, u.userId);
    const other = await h.api.registerAndLogin();
    const foreign = await h.api.call('GET', `/v1/requests/${submitted.body.id}`, { token: (await createKey(other.access)).key });
    assert.equal(foreign.status, 404, "another user's key sees nothing of it");
  });

  it('when a key is used beyond its scopes or on a session-only route, then 403', async () => {
    const u = await h.api.registerAndLogin();
    const reader = await createKey(u.access, { name: 'dashboard', scopes: ['requests:read'] });
    const write = await h.api.call('POST', '/v1/requests', { token: reader.key, body: { topic: 'read only keys' } });
    assert.equal(write.status, 403);
    assert.match(write.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    assert.equal((await h.api.call('GET', '/v1/requests', { token: reader.key })).status, 200);
    const writer = await createKey(u.access, { name: 'submitter', scopes: ['requests:write'] });
    assert.equal((await h.api.call('GET', '/v1/requests', { token: writer.key })).status, 403);
    assert.equal((await h.api.call('POST', '/v1/api-keys', { token: writer.key, body: { name: 'mint another' } })).status, 403, 'a key cannot mint keys');
    assert.equal((await h.api.call('GET', '/v1/webhooks', { token: writer.key })).status, 403);
    const adminKey = await createKey(admin.access, { name: 'admin automation' });
    assert.equal((await h.api.call('GET', '/v1/admin/users', { token: adminKey.key })).status, 403, "an admin's key is not an admin session");
  });

  it('when the scheme is spelt in another case or the path another way, then tokens and keys work as on the canonical spelling', async () => {
    const u = await h.api.registerAndLogin();
    const key = (await createKey(u.access, { name: 'spellings', scopes: ['requests:read'] })).key;
    const get = (path: string, authorization: string) => fetch(`${h.url}${path}`, { headers: { authorization } });
    for (const scheme of ['bearer', 'BEARER', 'Bearer ']) {
      assert.equal((await get('/v1/me', `${scheme} ${u.access}`)).status, 200, `${scheme} with an access token`);
      assert.equal((await get('/v1/me', `${scheme} ${key}`)).status, 200, `${scheme} with an API key`);
    }
    assert.equal((await get('/v1//me', `Bearer ${key}`)).status, 200, 'a doubled slash is the same route, in scope');
    const encoded = await get('/v1/%72equests', `Bearer ${key}`);
    assert.equal(encoded.status, 200, `an encoded letter too: ${await encoded.text()}`);
    assert.equal((await get('/v1//api-keys', `Bearer ${key}`)).status, 403, 'and a session-only route stays one');
    assert.equal((await get('/v1/me', `Basic ${key}`)).status, 401, 'another scheme is not a bearer');
  });

  it('when a key is revoked, expires, or its owner is disabled, then the next call is 401', async () => {
    const u = await h.api.registerAndLogin();
    const revoked = await createKey(u.access);
    assert.equal((await h.api.call('GET', '/v1/requests', { token: revoked.key })).status, 200);
    assert.equal((await h.api.call('DELETE', `/v1/api-keys/${revoked.id}`, { token: u.access })).status, 204);
    const afterRevoke = await h.api.call('GET', '/v1/requests', { token: revoked.key });
    assert.equal(afterRevoke.status, 401);
    assert.match(afterRevoke.body.detail, /revoked/);
    assert.ok((await h.api.call('GET', `/v1/api-keys/${revoked.id}`, { token: u.access })).body.revoked_at);

    const expiring = await createKey(u.access, { name: 'short lived', expires_at: new Date(Date.now() + 60_000).toISOString() });
    assert.equal((await h.api.call('GET', '/v1/requests', { token: expiring.key })).status, 200);
    await h.gateway.deps.db.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [expiring.id]);
    const expired = await h.api.call('GET', '/v1/requests', { token: expiring.key });
    assert.equal(expired.status, 401);
    assert.match(expired.body.detail, /expired/);

    const live = await createKey(u.access);
    assert.equal((await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin.access, body: { disabled: true } })).status, 200);
    assert.equal((await h.api.call('GET', '/v1/requests', { token: live.key })).status, 401);
    assert.equal((await h.api.call('GET', '/v1/requests', { token: 'prs_' + 'x'.repeat(43) })).status, 401, 'an unknown key');
  });

  it('when an admin lists and revokes any key, then the owner sees it revoked; a past expiry is refused', async () => {
    const u = await h.api.registerAndLogin();
    const key = await createKey(u.access);
    const listed = await h.api.call('GET', `/v1/admin/api-keys?user_id=${u.userId}`, { token: admin.access });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.items.map((k: { id: string; user_id: string }) => [k.id, k.user_id]),
      [[key.id, u.userId]],
    );
    assert.equal((await h.api.call('GET', '/v1/admin/api-keys', { token: u.access })).status, 403);
    assert.equal((await h.api.call('DELETE', `/v1/admin/api-keys/${key.id}`, { token: admin.access })).status, 204);
    assert.equal((await h.api.call('GET', '/v1/requests', { token: key.key })).status, 401);
    assert.equal(
      (await h.api.call('DELETE', `/v1/api-keys/${key.id}`, { token: (await h.api.registerAndLogin()).access })).status,
      404,
      "another user's key is not found",
    );
    const past = await h.api.call('POST', '/v1/api-keys', { token: u.access, body: { name: 'late', expires_at: '2020-01-01T00:00:00Z' } });
    assert.equal(past.status, 400);
  });

  it("when an admin's key names another user's request, then it is not found: the key acts as its owner, not as an admin", async () => {
    const owner = await h.api.registerAndLogin();
    const submitted = await h.api.call('POST', '/v1/requests', { token: owner.access, body: { topic: 'someone else’s request' } });
    const key = (await createKey(admin.access, { name: 'admin automation' })).key;
    const id = submitted.body.id as string;
    assert.equal((await h.api.call('GET', `/v1/requests/${id}`, { token: key })).status, 404);
    assert.equal((await h.api.call('POST', `/v1/requests/${id}/cancel`, { token: key })).status, 404);
    assert.equal((await h.api.call('POST', '/v1/stream-tickets', { token: key, body: { request_id: id } })).status, 404);
    assert.equal((await h.api.call('GET', `/v1/requests/${id}/events`, { token: key })).status, 404);
    assert.equal((await h.api.call('GET', `/v1/requests/${id}`, { token: owner.access })).body.status, 'queued', 'nothing was cancelled');
    // The admin's own session still reaches it.
    assert.equal((await h.api.call('POST', '/v1/stream-tickets', { token: admin.access, body: { request_id: id } })).status, 201);
  });

  it('when keys are created within the same millisecond, then paging one at a time lists each exactly once', async () => {
    const u = await h.api.registerAndLogin();
    // One statement: every row gets the same now(), which is what a microsecond default would put past the cursor.
    const { rows } = await h.gateway.deps.db.query<{ id: string }>(
      `INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes)
       SELECT gen_random_uuid(), $1::uuid, 'batch ' || g, 'prs_batch' || g, sha256(convert_to($1::uuid::text || g, 'UTF8')), ARRAY['requests:read']
         FROM generate_series(1, 4) g RETURNING id`,
      [u.userId],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.api.call('GET', `/v1/api-keys?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: u.access });
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...page.body.items.map((k: { id: string }) => k.id));
      cursor = page.body.next_cursor;
    } while (cursor && seen.length <= rows.length);
    assert.deepEqual([...seen].sort(), rows.map((r) => r.id).sort());
  });
});
