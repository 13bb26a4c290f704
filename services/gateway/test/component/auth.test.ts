import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../support/gateway-harness.ts';

describe('gateway auth (real PostgreSQL, Redis, RabbitMQ)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    // No grace window: the reuse test below presents a spent token at once (session-hygiene.test.ts covers the window).
    h = await startTestGateway({ REFRESH_REUSE_GRACE_S: '0' }, 'auth');
  });
  after(() => h.close());

  it('when a user registers, then 201 returns the user without any secret, and the same email (any case) is 409', async () => {
    const res = await h.api.call('POST', '/v1/auth/register', { body: { email: 'Alice@Example.com', password: 'a long enough password' } });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body.user).sort(), ['email', 'id', 'role']);
    assert.equal(res.body.user.role, 'user');
    const again = await h.api.call('POST', '/v1/auth/register', { body: { email: 'alice@example.com', password: 'another long password' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'conflict');
    assert.match(again.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('when login fails, then the answer is the same for a wrong password and an unknown email', async () => {
    const u = await h.api.registerAndLogin();
    const wrong = await h.api.call('POST', '/v1/auth/login', { body: { email: u.email, password: 'not the password' } });
    const unknown = await h.api.call('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.detail, unknown.body.detail);
  });

  it('when logged in, then /v1/me shows the role and the UTC-day quota', async () => {
    const u = await h.api.registerAndLogin();
    const me = await h.api.call('GET', '/v1/me', { token: u.access });
    assert.equal(me.status, 200);
    assert.equal(me.body.id, u.userId);
    assert.equal(me.body.quota.daily_quota, 50);
    assert.equal(me.body.quota.used_today, 0);
    assert.match(me.body.quota.resets_at, /T00:00:00\.000Z$/);
  });

  it('when a refresh token is used, then a new pair is issued and the old token is spent', async () => {
    const u = await h.api.registerAndLogin();
    const first = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh } });
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refresh_token, u.refresh);
    assert.equal(first.body.token_type, 'Bearer');
    assert.equal((await h.api.call('GET', '/v1/me', { token: first.body.access_token })).status, 200);
  });

  it('when a spent refresh token is presented, then the whole session family is revoked', async () => {
    const u = await h.api.registerAndLogin();
    const rotated = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh } });
    const replay = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh } });
    assert.equal(replay.status, 401);
    const successor = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: rotated.body.refresh_token } });
    assert.equal(successor.status, 401, 'the successor token dies with its family');
    assert.equal((await h.api.call('GET', '/v1/me', { token: rotated.body.access_token })).status, 401, 'access tokens of the family stop working');
  });

  it('when a user logs out, then that session access token stops working at once and other sessions live on', async () => {
    const u = await h.api.registerAndLogin();
    const other = await h.api.call('POST', '/v1/auth/login', { body: { email: u.email, password: u.password } });
    const out = await h.api.call('POST', '/v1/auth/logout', { token: u.access });
    assert.equal(out.status, 204);
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).status, 401);
    assert.equal((await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh } })).status, 401);
    assert.equal((await h.api.call('GET', '/v1/me', { token: other.body.access_token })).status, 200);
  });

  it('when no or a malformed token is sent, then 401 problem+json', async () => {
    assert.equal((await h.api.call('GET', '/v1/me')).status, 401);
    assert.equal((await h.api.call('GET', '/v1/me', { token: 'a.b.c' })).status, 401);
    const res = await h.api.call('GET', '/v1/requests', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'unauthorized');
  });

  it('when bodies are invalid, then unknown fields are named, non-JSON is 415, malformed JSON is 400 and large bodies are 413', async () => {
    const extra = await h.api.call('POST', '/v1/auth/register', { body: { email: 'x@example.com', password: 'long enough pw', admin: true } });
    assert.equal(extra.status, 400);
    assert.deepEqual(extra.body.errors, [{ field: 'admin', message: 'is not an allowed field' }]);
    const form = await h.api.call('POST', '/v1/auth/login', { raw: 'email=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415);
    const broken = await h.api.call('POST', '/v1/auth/login', { raw: '{"email":', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    const big = await h.api.call('POST', '/v1/auth/login', { body: { email: 'a@example.com', password: 'x'.repeat(40_000) } });
    assert.equal(big.status, 413);
  });

  it('when a client sends a sane X-Request-Id, then it is echoed; otherwise one is generated', async () => {
    const echoed = await h.api.call('GET', '/openapi.json', { headers: { 'x-request-id': 'client-req-12345' } });
    assert.equal(echoed.headers.get('x-request-id'), 'client-req-12345');
    const replaced = await h.api.call('GET', '/openapi.json', { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('when the operations endpoints are called on the operations port, then they answer without a token', async () => {
    assert.equal((await h.ops.call('GET', '/healthz')).status, 200);
    const ready = await h.ops.call('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body.checks, { startup: 'ok', postgres: 'ok', rabbitmq: 'ok', redis: 'ok' });
    await h.api.call('GET', '/openapi.json');
    const metrics = await h.ops.call('GET', '/metrics');
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
    assert.match(
      metrics.body,
      /http_request_duration_seconds_bucket\{[^}]*route="\/openapi\.json"/,
      'the API port is measured; the scrape reads it on the operations port',
    );
    const spec = await h.api.call('GET', '/openapi.json');
    assert.equal(spec.body.openapi, '3.1.0', '/openapi.json stays on the API port');
    const body = spec.body.paths['/v1/requests'].post.requestBody.content['application/json'].schema;
    const resolved = body.$ref ? spec.body.components.schemas[String(body.$ref).split('/').pop()!] : body;
    assert.equal(resolved.additionalProperties, false);
  });
});
