import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { publishEvent } from '@pressroom/messaging';
import { pollUntil } from '@pressroom/test-support';
import { startTestGateway, type ApiResponse } from '../support/gateway-harness.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> }>>;
  components: { responses: Record<string, { content: Record<string, unknown> }> };
};

/**
 * Calls every documented operation through HTTP (successes and errors) and checks each real answer against
 * /openapi.json: its status is documented for that operation, its content type is the documented one, and
 * its body validates against the documented schema.
 */
describe('OpenAPI conformance: every real response matches /openapi.json', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let doc: Doc;
  let ajv: Ajv;
  const seen = new Set<string>();

  before(async () => {
    h = await startTestGateway({}, 'oas');
    doc = (await h.api.call('GET', '/openapi.json')).body as Doc;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: 'openapi' });
  });
  after(() => h.close());

  function template(path: string): string {
    const bare = path.split('?')[0]!;
    const match = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
    assert.ok(match, `${bare} is documented`);
    return match;
  }

  async function call(method: string, path: string, opts: Parameters<typeof h.api.call>[2] = {}): Promise<ApiResponse> {
    const res = await h.api.call(method, path, opts);
    const tpl = template(path);
    const op = doc.paths[tpl]![method.toLowerCase()];
    assert.ok(op, `${method} ${tpl} is documented`);
    let response = op.responses[String(res.status)];
    assert.ok(response, `${method} ${tpl} documents ${res.status} (${JSON.stringify(res.body)})`);
    seen.add(`${method} ${tpl} ${res.status}`);
    if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()!]!;
    const content = response.content;
    if (!content) {
      assert.equal(res.body, undefined, `${method} ${tpl} ${res.status} has no body`);
      return res;
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
    assert.ok(type in content, `${method} ${tpl} ${res.status}: ${type} is documented (${Object.keys(content).join(', ')})`);
    const pointer = `openapi#/paths/${tpl.replaceAll('/', '~1')}/${method.toLowerCase()}/responses/${res.status}`;
    const schemaRef =
      (response as { $ref?: string }) === op.responses[String(res.status)]
        ? `${pointer}/content/${type.replace('/', '~1')}/schema`
        : `openapi#/components/schemas/Problem`;
    const validate = ajv.compile({ $ref: schemaRef });
    assert.ok(validate(res.body), `${method} ${tpl} ${res.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(res.body).slice(0, 500)}`);
    return res;
  }

  it('when every operation is called, its successes and its errors validate against the document', async () => {
    const reg = await call('POST', '/v1/auth/register', { body: { email: `oas-${Date.now()}@example.com`, password: 'correct horse battery' } });
    await call('POST', '/v1/auth/register', { body: { email: reg.body.user.email, password: 'correct horse battery' } });
    await call('POST', '/v1/auth/register', { body: { email: 'not-an-email', password: 'x' } });
    const login = await call('POST', '/v1/auth/login', { body: { email: reg.body.user.email, password: 'correct horse battery' } });
    await call('POST', '/v1/auth/login', { body: { email: reg.body.user.email, password: 'wrong password!' } });
    const refreshed = await call('POST', '/v1/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
    const token = refreshed.body.access_token as string;
    await call('GET', '/v1/me', { token });
    await call('GET', '/v1/me');
    await call('POST', '/v1/requests', { token, raw: 'topic=x', headers: { 'content-type': 'text/plain' } });
    await call('POST', '/v1/requests', { token, body: { topic: 'x'.repeat(40_000) } });

    const submitted = await call('POST', '/v1/requests', {
      token,
      body: { topic: 'how honeybees communicate', channel: { type: 'webhook', url: 'https://hooks.example.com/a' } },
      headers: { 'idempotency-key': 'oas-1' },
    });
    await call('POST', '/v1/requests', { token, body: { topic: 'another body' }, headers: { 'idempotency-key': 'oas-1' } });
    await call('GET', '/v1/requests?limit=5', { token });
    await call('GET', '/v1/requests?cursor=bad', { token });
    await call('GET', `/v1/requests/${submitted.body.id}`, { token });
    await call('GET', '/v1/requests/00000000-0000-4000-8000-000000000000', { token });
    const base = { request_id: submitted.body.id as string, user_id: reg.body.user.id as string, attempt: 1 };
    const article = {
      title: 'Bees',
      summary: 'They dance.',
      body_markdown: '# Bees\n\nThey dance [1].',
      sources: [{ title: 'Bees', url: 'https://example.org/b' }],
    };
    await publishEvent(h.gateway.deps.broker, { message_id: 'w', ...base, stage: 'write', type: 'completed', duration_ms: 3, result: { article } });
    await publishEvent(h.gateway.deps.broker, { message_id: 'p', ...base, stage: 'publish', type: 'failed', error: { code: 'webhook_410', message: 'gone' } });
    await pollUntil('the request to fail', async () =>
      (await h.api.call('GET', `/v1/requests/${base.request_id}`, { token })).body.status === 'failed' ? true : undefined,
    );
    const failed = await call('GET', `/v1/requests/${base.request_id}`, { token });
    assert.equal(failed.body.result.summary, 'They dance.', 'result.summary is documented and served');
    assert.equal(failed.body.error.code, 'webhook_410', 'error is documented and served');

    const stream = await call('GET', `/v1/requests/${base.request_id}/events`, { token });
    assert.match(String(stream.body), /event: request.status/, 'a finished request streams its history, then closes');
    const ticket = await call('POST', '/v1/stream-tickets', { token, body: { request_id: base.request_id } });
    await call('GET', `/v1/requests/${base.request_id}/events?ticket=${ticket.body.ticket}`);
    await call('GET', `/v1/requests/${base.request_id}/events?ticket=${ticket.body.ticket}`);
    await call('POST', `/v1/requests/${base.request_id}/cancel`, { token });
    const inFlight = await call('POST', '/v1/requests', { token, body: { topic: 'cancel me please' } });
    await call('POST', `/v1/requests/${inFlight.body.id}/cancel`, { token });

    const hook = await call('POST', '/v1/webhooks', { token, body: { url: 'https://hooks.example.com/b', events: ['request.published'] } });
    await call('POST', '/v1/webhooks', { token, body: { url: 'gopher://x', events: [] } });
    await call('GET', '/v1/webhooks', { token });
    await call('GET', `/v1/webhooks/${hook.body.id}`, { token });
    await call('PATCH', `/v1/webhooks/${hook.body.id}`, { token, body: { events: ['request.failed', 'request.cancelled'] } });
    await call('POST', `/v1/webhooks/${hook.body.id}/test`, { token, body: {} });
    await call('GET', `/v1/webhooks/${hook.body.id}/deliveries`, { token });
    await call('POST', `/v1/webhooks/${hook.body.id}/rotate-secret`, { token, body: {} });
    await call('PATCH', `/v1/webhooks/${hook.body.id}`, { token, body: { enabled: false } });
    await call('POST', `/v1/webhooks/${hook.body.id}/test`, { token, body: {} });
    await call('DELETE', `/v1/webhooks/${hook.body.id}`, { token });
    await call('GET', `/v1/webhooks/${hook.body.id}`, { token });

    const key = await call('POST', '/v1/api-keys', { token, body: { name: 'oas', scopes: ['requests:read'] } });
    await call('GET', '/v1/api-keys', { token });
    await call('GET', `/v1/api-keys/${key.body.id}`, { token });
    await call('GET', '/v1/requests', { token: key.body.key });
    await call('POST', '/v1/requests', { token: key.body.key, body: { topic: 'beyond scope' } });
    await call('GET', '/v1/me', { token: key.body.key });
    await call('DELETE', `/v1/api-keys/${key.body.id}`, { token });
    await call('GET', '/v1/requests', { token: key.body.key });

    const admin = await h.api.registerAndLogin();
    await h.gateway.deps.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [admin.userId]);
    await call('GET', '/v1/admin/users', { token });
    await call('GET', '/v1/admin/users?limit=2', { token: admin.access });
    await call('GET', '/v1/admin/requests', { token: admin.access });
    const anyRequest = await call('GET', '/v1/admin/requests?limit=1&created_after=2020-01-01T00:00:00Z', { token: admin.access });
    await call('GET', `/v1/admin/requests/${anyRequest.body.items[0].id}`, { token: admin.access });
    await call('GET', '/v1/admin/requests/00000000-0000-4000-8000-000000000000', { token: admin.access });
    await call('GET', '/v1/admin/queues', { token: admin.access });
    await call('GET', '/v1/admin/spend', { token: admin.access });
    await call('GET', '/v1/admin/spend?from=2025-02-01&to=2025-01-01', { token: admin.access });
    await call('POST', '/v1/admin/dead-letters/00000000-0000-4000-8000-000000000000/replay', { token: admin.access, body: {} });
    await call('PATCH', `/v1/admin/users/${reg.body.user.id}`, { token: admin.access, body: { daily_quota: 7 } });
    await call('PATCH', '/v1/admin/users/00000000-0000-4000-8000-000000000000', { token: admin.access, body: { daily_quota: 7 } });
    await call('GET', '/v1/admin/dead-letters', { token: admin.access });
    await call('POST', '/v1/admin/dead-letters/publish/replay', { token: admin.access, body: {} });
    await call('GET', '/v1/admin/breakers', { token: admin.access });
    const audit = await call('GET', '/v1/admin/audit?limit=1', { token: admin.access });
    await call('GET', `/v1/admin/audit?cursor=${audit.body.next_cursor}&event=admin.user_updated`, { token: admin.access });

    const other = await call('POST', '/v1/auth/login', { body: { email: reg.body.user.email, password: 'correct horse battery' } });
    const sessions = await call('GET', '/v1/auth/sessions', { token });
    const otherSession = (sessions.body.items as Array<{ id: string; current: boolean }>).find((s) => !s.current)!;
    assert.ok(other.body.access_token && otherSession);
    await call('DELETE', `/v1/auth/sessions/${otherSession.id}`, { token });
    await call('DELETE', `/v1/auth/sessions/${otherSession.id}`, { token });
    await call('GET', '/v1/admin/api-keys', { token: admin.access });
    await call('DELETE', `/v1/admin/api-keys/${key.body.id}`, { token: admin.access });

    await call('POST', '/v1/auth/password', { token, body: { current_password: 'correct horse battery', new_password: 'a much longer passphrase' } });
    await call('POST', '/v1/auth/logout', { token, body: {} });
    await call('POST', '/v1/auth/logout', { token, body: {} });
    await call('POST', '/v1/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
  });

  it('when the calls are done, then every documented operation was answered with its success status', () => {
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const success = Object.keys(op.responses).find((s) => s.startsWith('2'))!;
        if (!seen.has(`${method.toUpperCase()} ${path} ${success}`)) missing.push(`${method.toUpperCase()} ${path} ${success}`);
      }
    assert.deepEqual(missing, []);
  });
});
