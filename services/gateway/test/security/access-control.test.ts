import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestGateway } from '../support/gateway-harness.ts';
import { routeTable, toOpenApiPath, type RouteEntry } from '../support/route-table.ts';

const ADMIN = { email: 'admin@access.test', password: 'admin password for tests' };
// The operations endpoints are not on the API port at all (see ops-port.test.ts).
const PUBLIC = new Set(['POST /v1/auth/register', 'POST /v1/auth/login', 'POST /v1/auth/refresh', 'GET /openapi.json']);
const key = (r: RouteEntry) => `${r.method} ${r.path}`;
const concrete = (path: string) => path.replace(/:\w+/g, () => randomUUID());
/** A JSON body where the method may carry one. */
const bodyFor = (method: string) => (method === 'GET' || method === 'HEAD' ? {} : { body: {} });

describe('API5:2023 Broken Function Level Authorization: every route, from the router table', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let routes: RouteEntry[];
  let user: Awaited<ReturnType<typeof h.api.registerAndLogin>>;
  before(async () => {
    h = await startTestGateway({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 'secacl');
    routes = routeTable(h.gateway.app);
    user = await h.api.registerAndLogin();
  });
  after(() => h.close());

  it('when the router table is read, then it lists the public, user and admin routes (the walk is not vacuous)', () => {
    const keys = new Set(routes.map(key));
    for (const k of [
      ...PUBLIC,
      'GET /v1/me',
      'POST /v1/auth/password',
      'GET /v1/requests/:id',
      'GET /v1/admin/requests',
      'GET /v1/admin/users',
      'PATCH /v1/admin/users/:id',
    ])
      assert.ok(keys.has(k), k);
  });

  it('when any route but register, login, refresh and the operations endpoints is called without a valid token, then 401', async () => {
    for (const r of routes) {
      const path = concrete(r.path);
      if (PUBLIC.has(key(r))) {
        assert.notEqual((await h.api.call(r.method, path)).status, 401, `${key(r)} is public`);
        continue;
      }
      for (const token of [undefined, 'not.a.jwt', `${user.access.slice(0, -4)}AAAA`]) {
        const res = await h.api.call(r.method, path, { ...(token ? { token } : {}), ...bodyFor(r.method) });
        assert.equal(res.status, 401, `${key(r)} with token ${token ? 'invalid' : 'absent'}`);
        assert.equal(res.body.code, 'unauthorized');
      }
    }
  });

  it('when a user (not an admin) calls any /v1/admin route, known or not, then 403', async () => {
    const admin = routes.filter((r) => r.path.startsWith('/v1/admin/'));
    assert.ok(admin.length >= 3);
    for (const r of [...admin, { method: 'GET', path: '/v1/admin/not-a-route' }, { method: 'DELETE', path: '/V1/ADMIN/USERS/x' }]) {
      const res = await h.api.call(r.method, concrete(r.path), { token: user.access, ...bodyFor(r.method) });
      assert.equal(res.status, 403, key(r));
      assert.equal(res.body.code, 'forbidden');
    }
  });

  it('API9:2023 Improper Inventory Management: when /openapi.json is read, then it documents exactly the routes the router serves', async () => {
    const spec = (await h.api.call('GET', '/openapi.json')).body;
    const documented = new Set(
      Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)),
    );
    const ops = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json']);
    const served = new Set(routes.filter((r) => !ops.has(key(r))).map((r) => `${r.method} ${toOpenApiPath(r.path)}`));
    assert.deepEqual([...served].sort(), [...documented].sort());
    for (const r of routes.filter((x) => x.path.startsWith('/v1/admin/')))
      assert.ok(spec.paths[toOpenApiPath(r.path)][r.method.toLowerCase()].responses['403'], `${key(r)} documents 403`);
  });
});

describe('API1:2023 Broken Object Level Authorization', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let admin: string;
  before(async () => {
    h = await startTestGateway({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 'secbola');
    admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
  });
  after(() => h.close());

  it("when a user asks for another user's request by id (any spelling), then 404, never 403, and it is in none of their lists", async () => {
    const owner = await h.api.registerAndLogin();
    const stranger = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: owner.access, body: { topic: 'private research' } });
    assert.equal((await h.api.call('GET', `/v1/requests/${created.body.id}`, { token: owner.access })).status, 200);
    for (const path of [`/v1/requests/${created.body.id}`, `/v1/requests/${created.body.id.toUpperCase()}`, `/V1/Requests/${created.body.id}/`]) {
      const res = await h.api.call('GET', path, { token: stranger.access });
      assert.equal(res.status, 404, path);
      assert.equal(res.body.code, 'not_found');
    }
    for (const q of ['', '?status=queued', '?limit=100'])
      assert.deepEqual((await h.api.call('GET', `/v1/requests${q}`, { token: stranger.access })).body.items, []);
    assert.equal((await h.api.call('GET', `/v1/admin/requests?user_id=${owner.userId}`, { token: stranger.access })).status, 403);
    assert.equal((await h.api.call('PATCH', `/v1/admin/users/${owner.userId}`, { token: stranger.access, body: { disabled: true } })).status, 403);
  });

  it('when an admin lists all requests, then every user appears with user_id, and the filters narrow it', async () => {
    const a = await h.api.registerAndLogin();
    const b = await h.api.registerAndLogin();
    const ra = (await h.api.call('POST', '/v1/requests', { token: a.access, body: { topic: 'from user a' } })).body;
    const rb = (await h.api.call('POST', '/v1/requests', { token: b.access, body: { topic: 'from user b' } })).body;
    const all = await h.api.call('GET', '/v1/admin/requests?limit=100', { token: admin });
    assert.equal(all.status, 200);
    const ids = all.body.items.map((i: { id: string }) => i.id);
    assert.ok(ids.includes(ra.id) && ids.includes(rb.id));
    assert.equal(all.body.items.find((i: { id: string }) => i.id === rb.id).user_id, b.userId);
    const onlyA = await h.api.call('GET', `/v1/admin/requests?user_id=${a.userId}`, { token: admin });
    assert.deepEqual(
      onlyA.body.items.map((i: { id: string }) => i.id),
      [ra.id],
    );
    assert.deepEqual((await h.api.call('GET', `/v1/admin/requests?user_id=${a.userId}&status=published`, { token: admin })).body.items, []);
    const page1 = await h.api.call('GET', '/v1/admin/requests?limit=1', { token: admin });
    assert.equal(page1.body.items.length, 1);
    const page2 = await h.api.call('GET', `/v1/admin/requests?limit=1&cursor=${page1.body.next_cursor}`, { token: admin });
    assert.notEqual(page2.body.items[0].id, page1.body.items[0].id);
    for (const bad of ['?user_id=nope', '?status=bogus', '?limit=0', '?cursor=garbage', '?owner=me'])
      assert.equal((await h.api.call('GET', `/v1/admin/requests${bad}`, { token: admin })).status, 400, bad);
  });

  it('when an admin lists users, then pages never carry a password hash and filters apply', async () => {
    const u = await h.api.registerAndLogin();
    const page = await h.api.call('GET', '/v1/admin/users?limit=1', { token: admin });
    assert.equal(page.status, 200);
    assert.deepEqual(Object.keys(page.body.items[0]).sort(), ['created_at', 'daily_quota', 'disabled', 'email', 'id', 'role', 'updated_at', 'used_today']);
    assert.ok(page.body.next_cursor);
    const next = await h.api.call('GET', `/v1/admin/users?limit=1&cursor=${page.body.next_cursor}`, { token: admin });
    assert.notEqual(next.body.items[0].id, page.body.items[0].id);
    const admins = await h.api.call('GET', '/v1/admin/users?role=admin&limit=100', { token: admin });
    assert.deepEqual(
      admins.body.items.map((i: { email: string }) => i.email),
      [ADMIN.email],
    );
    await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin, body: { disabled: true } });
    const disabled = await h.api.call('GET', '/v1/admin/users?disabled=true', { token: admin });
    assert.ok(disabled.body.items.some((i: { id: string }) => i.id === u.userId));
    assert.ok(disabled.body.items.every((i: { disabled: boolean }) => i.disabled));
  });

  it('when an admin patches users, then self-disable and self-demotion are 409, unknown ids 404, and bad patches 400', async () => {
    const me = (await h.api.call('GET', '/v1/me', { token: admin })).body;
    const patch = (id: string, body: unknown) => h.api.call('PATCH', `/v1/admin/users/${id}`, { token: admin, body });
    assert.equal((await patch(me.id, { disabled: true })).status, 409);
    assert.equal((await patch(me.id, { role: 'user' })).status, 409);
    assert.equal((await patch(me.id.toUpperCase(), { role: 'user' })).status, 409, 'whatever the spelling of the id');
    assert.equal((await h.api.call('GET', '/v1/admin/users', { token: admin })).status, 200, 'still an admin');
    assert.equal((await patch(randomUUID(), { role: 'admin' })).status, 404);
    const bad = await patch('not-a-uuid', { role: 'admin' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'id');
    const u = await h.api.registerAndLogin();
    assert.equal((await patch(u.userId, {})).status, 400, 'an empty patch');
    const extra = await patch(u.userId, { role: 'admin', password_hash: 'x' });
    assert.equal(extra.status, 400);
    assert.deepEqual(extra.body.errors, [{ field: 'password_hash', message: 'is not an allowed field' }]);
    assert.equal((await patch(u.userId, { daily_quota: -1 })).status, 400);
    assert.equal((await patch(u.userId, { role: 'root' })).status, 400);
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).body.role, 'user', 'nothing changed');
  });
});
