import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AdminListRequestsQuery, AdminUserPatchBody, ChangePasswordBody, CreateRequestBody, IdParams } from '@pressroom/contracts';
import { startTestGateway } from '../support/gateway-harness.ts';
import { routeTable, toOpenApiPath, type RouteEntry } from '../support/route-table.ts';

const ADMIN = { email: 'admin@validation.test', password: 'admin password for tests' };
const OPS = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json']);
const json = (schema: unknown) => JSON.parse(JSON.stringify(schema));

describe('API3:2023 Broken Object Property Level Authorization: input validation on every route', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let routes: RouteEntry[];
  let admin: string;
  before(async () => {
    h = await startTestGateway({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 'secval');
    routes = routeTable(h.gateway.app).filter((r) => !OPS.has(`${r.method} ${r.path}`));
    admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
  });
  after(() => h.close());

  const withBody = (method: string) => (method === 'GET' ? {} : { body: {} });
  // A valid value for every path parameter, so the check under test is the only one that can fail.
  const fillParams = (path: string) => path.replace(/:stage\b/g, 'research').replace(/:\w+/g, () => randomUUID());

  it('when any API route gets an unknown query parameter, then 400 names it (never ignored)', async () => {
    for (const r of routes) {
      const path = `${fillParams(r.path)}?debug=1`;
      const res = await h.api.call(r.method, path, { token: admin, ...withBody(r.method) });
      assert.equal(res.status, 400, `${r.method} ${r.path}`);
      assert.deepEqual(res.body.errors, [{ field: 'debug', message: 'is not an allowed field' }], `${r.method} ${r.path}`);
    }
    assert.equal((await h.api.call('GET', '/v1/me', { token: admin })).status, 200, 'logout?debug=1 was refused before it ran');
  });

  it('when any route with a path id gets something that is not a UUID, then 400 names the id', async () => {
    const withIds = routes.filter((r) => r.path.includes(':id'));
    assert.ok(withIds.length >= 2);
    for (const r of withIds) {
      for (const id of ['not-a-uuid', '1', "1'%20OR%20'1'='1", '00000000-0000-0000-0000-00000000000g']) {
        const res = await h.api.call(r.method, r.path.replace(':id', id), { token: admin, ...withBody(r.method) });
        assert.equal(res.status, 400, `${r.method} ${r.path} with ${id}`);
        assert.equal(res.body.errors[0].field, 'id');
      }
    }
  });

  it('when any documented body gets an unknown field, then 400 names it (never stripped)', async () => {
    const spec = (await h.api.call('GET', '/openapi.json')).body;
    const bodies = routes.filter((r) => spec.paths[toOpenApiPath(r.path)]?.[r.method.toLowerCase()]?.requestBody);
    assert.ok(bodies.length >= 7);
    for (const r of bodies) {
      const res = await h.api.call(r.method, fillParams(r.path), { token: admin, body: { is_admin: true } });
      assert.equal(res.status, 400, `${r.method} ${r.path}`);
      assert.ok(
        res.body.errors.some((e: { field: string; message: string }) => e.field === 'is_admin' && e.message === 'is not an allowed field'),
        `${r.method} ${r.path}`,
      );
    }
  });

  it('when a client tries mass assignment (role on register, user_id on a request), then 400 and nothing is created', async () => {
    const reg = await h.api.call('POST', '/v1/auth/register', { body: { email: 'mass@example.com', password: 'long enough password', role: 'admin' } });
    assert.equal(reg.status, 400);
    assert.deepEqual(reg.body.errors, [{ field: 'role', message: 'is not an allowed field' }]);
    assert.equal((await h.api.call('POST', '/v1/auth/login', { body: { email: 'mass@example.com', password: 'long enough password' } })).status, 401);
    const req = await h.api.call('POST', '/v1/requests', { token: admin, body: { topic: 'valid topic', user_id: randomUUID(), status: 'published' } });
    assert.equal(req.status, 400);
    assert.deepEqual(req.body.errors.map((e: { field: string }) => e.field).sort(), ['status', 'user_id']);
  });

  it('when types, enums, lengths, ranges and formats are violated, then 400 names each field', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/v1/requests', { topic: 'ab' }, 'topic'],
      ['POST', '/v1/requests', { topic: 'x'.repeat(301) }, 'topic'],
      ['POST', '/v1/requests', { topic: 42 }, 'topic'],
      ['POST', '/v1/requests', { topic: 'valid topic', tone: 'angry' }, 'tone'],
      ['POST', '/v1/requests', { topic: 'valid topic', channel: { type: 'webhook', url: 'javascript:alert(1)' } }, 'channel.url'],
      ['POST', '/v1/auth/register', { email: 'not-an-email', password: 'long enough password' }, 'email'],
      ['POST', '/v1/auth/register', { email: 'a@example.com', password: 'short' }, 'password'],
      ['PATCH', `/v1/admin/users/${randomUUID()}`, { daily_quota: 1.5 }, 'daily_quota'],
      ['PATCH', `/v1/admin/users/${randomUUID()}`, { disabled: 'yes' }, 'disabled'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.api.call(method, path, { token: admin, body });
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.ok(
        res.body.errors.some((e: { field: string }) => e.field === field),
        `${JSON.stringify(res.body.errors)} names ${field}`,
      );
    }
    // The topic is stored trimmed: its 3 characters are counted without the white space around them.
    for (const topic of ['  a  ', ' ab\n', '\u00a0\u2003xy\t']) {
      const res = await h.api.call('POST', '/v1/requests', { token: admin, body: { topic } });
      assert.equal(res.status, 400, JSON.stringify(topic));
      assert.deepEqual(res.body.errors, [{ field: 'topic', message: 'must have at least 3 characters besides leading and trailing white space' }]);
    }
    const spaced = await h.api.call('POST', '/v1/requests', { token: admin, body: { topic: '  a b  ' } });
    assert.equal(spaced.status, 202);
    assert.equal(spaced.body.topic, 'a b');
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'status=bogus', 'limit=1&limit=2'])
      assert.equal((await h.api.call('GET', `/v1/requests?${q}`, { token: admin })).status, 400, q);
  });

  it('when a string holds a NUL or an unpaired surrogate, then 400 names the field (PostgreSQL never sees it)', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v1/requests', { topic: 'valid topic \u0000 here' }, 'topic'],
      ['/v1/requests', { topic: 'valid topic \ud800 here' }, 'topic'],
      ['/v1/requests', { topic: 'valid topic', audience: 'tail \udc00' }, 'audience'],
      ['/v1/auth/register', { email: 'nul@example.com', password: 'long enough \u0000 password' }, 'password'],
    ];
    for (const [path, body, field] of cases) {
      const res = await h.api.call('POST', path, { token: admin, body });
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(res.body.code, 'validation_failed');
      assert.deepEqual(res.body.errors, [{ field, message: 'must not contain NUL characters or unpaired surrogates' }]);
    }
    const paired = await h.api.call('POST', '/v1/requests', { token: admin, body: { topic: 'a paired surrogate \ud83d\udcf0 is fine' } });
    assert.equal(paired.status, 202, 'a well-formed emoji passes');
    assert.equal((await h.api.call('GET', '/v1/requests?status=queued%00', { token: admin })).status, 400, 'a NUL in the query string');
    for (const path of ['/v1/requests?limit=1e309', '/v1/api-keys?limit=1e309']) {
      const res = await h.api.call('GET', path, { token: admin });
      assert.equal(res.status, 400, `${path} (coerced to Infinity)`);
      assert.deepEqual(res.body.errors, [{ field: 'limit', message: 'must be a finite number' }]);
    }
    const infinite = await h.api.call('PATCH', `/v1/admin/users/${randomUUID()}`, {
      token: admin,
      raw: '{"daily_quota": 1e999}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(infinite.status, 400, 'JSON.parse turns 1e999 into Infinity');
  });

  it('when a cursor decodes to something that is not a position (["1", uuid], a bad date, extra fields), then 400', async () => {
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const cursors = [
      encode(['1', randomUUID()]),
      encode(['2026-13-01T00:00:00.000Z', randomUUID()]),
      encode(['Tue Dec 01 2026', randomUUID()]),
      encode(['2026-12-01T00:00:00.000Z', randomUUID(), 1]),
      encode(['2026-12-01T00:00:00.000Z', 'x']),
      'not base64 %%',
    ];
    for (const path of ['/v1/requests', '/v1/admin/requests', '/v1/admin/users', '/v1/api-keys']) {
      for (const cursor of cursors) {
        const res = await h.api.call('GET', `${path}?cursor=${encodeURIComponent(cursor)}`, { token: admin });
        assert.equal(res.status, 400, `${path} cursor ${Buffer.from(cursor, 'base64url').toString()}`);
        assert.equal(res.body.errors[0].field, 'cursor');
      }
    }
    const valid = encode([new Date().toISOString(), randomUUID()]);
    assert.equal((await h.api.call('GET', `/v1/requests?cursor=${valid}`, { token: admin })).status, 200);
  });

  it('when a body is too large, not JSON, or malformed, then 413, 415 and 400', async () => {
    assert.equal((await h.api.call('POST', '/v1/auth/login', { body: { email: 'a@example.com', password: 'x'.repeat(40_000) } })).status, 413);
    assert.equal(
      (await h.api.call('POST', '/v1/requests', { token: admin, raw: 'topic=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status,
      415,
    );
    assert.equal((await h.api.call('POST', '/v1/requests', { token: admin, raw: '<topic/>', headers: { 'content-type': 'text/xml' } })).status, 415);
    const broken = await h.api.call('POST', '/v1/requests', { token: admin, raw: '{"topic": ', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.code, 'validation_failed');
  });

  it('when /openapi.json is served, then its schemas are the very schemas that validate requests', async () => {
    const served = (await h.api.call('GET', '/openapi.json')).body;
    // Components are referenced by $ref, and integers carry an int32/int64 width for readers; neither changes what validates.
    const inline = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(inline);
      if (!node || typeof node !== 'object') return node;
      const ref = (node as { $ref?: string }).$ref;
      if (ref) return inline(served.components.schemas[ref.split('/').pop()!]);
      const { format, ...rest } = node as Record<string, unknown>;
      const keep = (rest['type'] === 'integer' && (format === 'int32' || format === 'int64')) || format === undefined ? rest : { ...rest, format };
      return Object.fromEntries(Object.entries(keep).map(([k, v]) => [k, inline(v)]));
    };
    const spec = inline(served) as typeof served;
    assert.deepEqual(spec.paths['/v1/requests'].post.requestBody.content['application/json'].schema, json(CreateRequestBody));
    assert.deepEqual(spec.paths['/v1/auth/password'].post.requestBody.content['application/json'].schema, json(ChangePasswordBody));
    assert.deepEqual(spec.paths['/v1/admin/users/{id}'].patch.requestBody.content['application/json'].schema, json(AdminUserPatchBody));
    assert.deepEqual(spec.paths['/v1/admin/users/{id}'].patch.parameters[0].schema, json(IdParams.properties.id));
    const query = Object.fromEntries(spec.paths['/v1/admin/requests'].get.parameters.map((p: { name: string; schema: unknown }) => [p.name, p.schema]));
    assert.deepEqual(query, json(AdminListRequestsQuery.properties));
  });
});
