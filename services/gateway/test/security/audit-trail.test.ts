import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { captureLogs, startTestGateway } from '../support/gateway-harness.ts';

const ADMIN = { email: 'admin@audit.test', password: 'admin password for tests' };
const CLIENT = '198.51.100.77';

describe('API2:2023 / API5:2023: an audit trail of security events', () => {
  const logs = captureLogs('info');
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let admin: { access: string; userId: string };
  before(async () => {
    h = await startTestGateway(
      { TRUST_PROXY_HOPS: '1', REFRESH_REUSE_GRACE_S: '0', BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
      'secaud',
      { logger: logs.logger },
    );
    const login = await h.api.call('POST', '/v1/auth/login', { body: ADMIN });
    const me = await h.api.call('GET', '/v1/me', { token: login.body.access_token });
    admin = { access: login.body.access_token, userId: me.body.id };
  });
  after(() => h.close());

  const headers = (requestId: string) => ({ 'x-forwarded-for': CLIENT, 'x-request-id': requestId });
  const eventLine = (event: string, requestId: string) => logs.records().find((r) => r['event'] === event && r['http_request_id'] === requestId);

  it('when sign-ins, refresh reuse, logout, password changes and revocations happen, then each is one line with event, user id, client address and request id', async () => {
    const u = await h.api.registerAndLogin();
    const calls: Array<[string, string, string, Record<string, unknown>]> = [
      ['auth.login_succeeded', 'POST', '/v1/auth/login', { body: { email: u.email, password: u.password } }],
      ['auth.login_failed', 'POST', '/v1/auth/login', { body: { email: u.email, password: 'wrong password' } }],
    ];
    for (const [event, method, path, opts] of calls) {
      const rid = `audit-${event}`;
      await h.api.call(method, path, { ...opts, headers: headers(rid) });
      const line = eventLine(event, rid);
      assert.ok(line, `${event} logged`);
      assert.equal(line['user_id'], u.userId, event);
      assert.equal(line['client_ip'], CLIENT, event);
    }
    const rotated = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh } });
    await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh }, headers: headers('audit-reuse') });
    assert.equal(eventLine('auth.refresh_reused', 'audit-reuse')?.['user_id'], u.userId);
    assert.equal(rotated.status, 200);

    const v = await h.api.registerAndLogin();
    const second = await h.api.call('POST', '/v1/auth/login', { body: { email: v.email, password: v.password } });
    const sessions = (await h.api.call('GET', '/v1/auth/sessions', { token: v.access })).body.items as Array<{ id: string; current: boolean }>;
    await h.api.call('DELETE', `/v1/auth/sessions/${sessions.find((s) => !s.current)!.id}`, { token: v.access, headers: headers('audit-revoke') });
    assert.equal(eventLine('auth.session_revoked', 'audit-revoke')?.['user_id'], v.userId);
    assert.ok(second.body.access_token);
    await h.api.call('POST', '/v1/auth/password', {
      token: v.access,
      body: { current_password: v.password, new_password: 'a brand new password' },
      headers: headers('audit-password'),
    });
    assert.equal(eventLine('auth.password_changed', 'audit-password')?.['client_ip'], CLIENT);
    const key = await h.api.call('POST', '/v1/api-keys', { token: v.access, body: { name: 'audit' } });
    await h.api.call('DELETE', `/v1/api-keys/${key.body.id}`, { token: v.access, headers: headers('audit-key') });
    assert.equal(eventLine('api_key.revoked', 'audit-key')?.['user_id'], v.userId);
    await h.api.call('POST', '/v1/auth/logout', { token: v.access, body: {}, headers: headers('audit-logout') });
    assert.equal(eventLine('auth.logout', 'audit-logout')?.['user_id'], v.userId);
    // A refresh of a session that was ended (logout, password change, revocation) is no reuse alarm.
    const ended = await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: second.body.refresh_token }, headers: headers('audit-ended') });
    assert.equal(ended.status, 401);
    assert.match(ended.body.detail, /the session has ended/);
    assert.equal(eventLine('auth.refresh_reused', 'audit-ended'), undefined, 'an ended session is not a stolen token');
    // A spent token is still reuse after its session ended: it was copied.
    await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh }, headers: headers('audit-reuse-ended') });
    assert.equal(eventLine('auth.refresh_reused', 'audit-reuse-ended')?.['user_id'], u.userId);

    const auditLines = logs.lines.filter((l) => l.includes('"msg":"security event"'));
    for (const secret of [u.password, v.password, 'wrong password', 'a brand new password', u.refresh, rotated.body.refresh_token, u.email, v.email])
      assert.ok(!auditLines.some((l) => l.includes(secret)), `no password, token or email in the audit lines (${secret.slice(0, 6)}…)`);
  });

  it('when an admin changes a user, revokes a key or replays dead letters, then audit_events records it and GET /v1/admin/audit lists it, newest first, paged', async () => {
    const u = await h.api.registerAndLogin();
    assert.equal(
      (await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin.access, body: { daily_quota: 3 }, headers: headers('audit-admin-1') })).status,
      200,
    );
    assert.equal(
      (await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin.access, body: { disabled: true }, headers: headers('audit-admin-2') })).status,
      200,
    );
    assert.equal(
      (await h.api.call('POST', '/v1/admin/dead-letters/research/replay', { token: admin.access, body: {}, headers: headers('audit-admin-3') })).status,
      200,
    );
    assert.equal(eventLine('admin.user_updated', 'audit-admin-2')?.['user_id'], admin.userId);

    // Paged two at a time to the end: every record once, newest first (ties in the same millisecond by id).
    const items: Array<Record<string, any>> = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<Record<string, any>>; next_cursor: string | null } } = await h.api.call(
        'GET',
        `/v1/admin/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin.access },
      );
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 2);
      items.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.equal(new Set(items.map((e) => e['id'])).size, items.length, 'no record twice');
    for (let i = 1; i < items.length; i++) assert.ok(items[i - 1]!['created_at'] >= items[i]!['created_at'], 'newest first');
    const byRequest = (rid: string) => items.find((e) => e['request_id'] === rid)!;
    assert.deepEqual(byRequest('audit-admin-3').details, { stage: 'research', replayed: 0, skipped: 0 });
    assert.equal(byRequest('audit-admin-3').event, 'admin.dead_letters_replayed');
    const disable = byRequest('audit-admin-2');
    assert.deepEqual(
      { event: disable['event'], actor: disable['actor_id'], target: disable['target'], details: disable['details'], ip: disable['client_ip'] },
      { event: 'admin.user_updated', actor: admin.userId, target: u.userId, details: { disabled: true }, ip: CLIENT },
    );
    assert.deepEqual(byRequest('audit-admin-1').details, { daily_quota: 3 });
    const filtered = await h.api.call('GET', '/v1/admin/audit?event=admin.dead_letters_replayed', { token: admin.access });
    assert.equal(filtered.body.items.length, 1);

    assert.equal((await h.api.call('GET', '/v1/admin/audit', { token: u.access })).status, 401, 'the disabled user is out');
    const plain = await h.api.registerAndLogin();
    assert.equal((await h.api.call('GET', '/v1/admin/audit', { token: plain.access })).status, 403);
  });
});
