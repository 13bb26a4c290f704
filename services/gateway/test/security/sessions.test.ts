import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../support/gateway-harness.ts';

const ADMIN = { email: 'admin@sessions.test', password: 'admin password for tests' };

describe('API2:2023 Broken Authentication: sessions end when they must', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let admin: string;
  before(async () => {
    h = await startTestGateway({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 'secses');
    admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
  });
  after(() => h.close());

  const login = (email: string, password: string) => h.api.call('POST', '/v1/auth/login', { body: { email, password } });

  it('when a user changes their password, then 204, every other session ends at once and this one lives on', async () => {
    const u = await h.api.registerAndLogin();
    const other = (await login(u.email, u.password)).body;
    const res = await h.api.call('POST', '/v1/auth/password', {
      token: u.access,
      body: { current_password: u.password, new_password: 'a brand new password' },
    });
    assert.equal(res.status, 204);
    assert.equal(
      (await h.api.call('GET', '/v1/me', { token: other.access_token })).status,
      401,
      "the other session's access token is dead on its next request",
    );
    assert.equal((await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: other.refresh_token } })).status, 401, 'and so is its refresh token');
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).status, 200, 'the session that changed the password continues');
    assert.equal((await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh } })).status, 200);
    assert.equal((await login(u.email, u.password)).status, 401, 'the old password no longer works');
    assert.equal((await login(u.email, 'a brand new password')).status, 200);
  });

  it('when the current password is wrong, or the new one is weak or unchanged, then nothing changes', async () => {
    const u = await h.api.registerAndLogin();
    const wrong = await h.api.call('POST', '/v1/auth/password', {
      token: u.access,
      body: { current_password: 'not my password', new_password: 'a brand new password' },
    });
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body.errors, [{ field: 'current_password', message: 'is incorrect' }]);
    const short = await h.api.call('POST', '/v1/auth/password', { token: u.access, body: { current_password: u.password, new_password: 'short' } });
    assert.equal(short.status, 400);
    assert.equal(short.body.errors[0].field, 'new_password');
    const same = await h.api.call('POST', '/v1/auth/password', { token: u.access, body: { current_password: u.password, new_password: u.password } });
    assert.equal(same.status, 400);
    assert.equal(
      (await h.api.call('POST', '/v1/auth/password', { body: { current_password: u.password, new_password: 'a brand new password' } })).status,
      401,
      'needs a token',
    );
    assert.equal((await login(u.email, u.password)).status, 200, 'the password is unchanged');
  });

  it('when an admin disables a user, then every session of that user ends on the very next request, and login is refused', async () => {
    const u = await h.api.registerAndLogin();
    const second = (await login(u.email, u.password)).body;
    const res = await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin, body: { disabled: true } });
    assert.equal(res.status, 200);
    assert.equal(res.body.disabled, true);
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).status, 401);
    assert.equal((await h.api.call('GET', '/v1/requests', { token: second.access_token })).status, 401);
    assert.equal((await h.api.call('POST', '/v1/auth/refresh', { body: { refresh_token: u.refresh } })).status, 401);
    const refused = await login(u.email, u.password);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.detail, (await login(u.email, 'wrong password')).body.detail, 'a disabled account looks like a wrong password');
    const { rows } = await h.gateway.deps.db.query('SELECT count(*)::int AS n FROM session_families WHERE user_id = $1 AND revoked_at IS NULL', [u.userId]);
    assert.equal(rows[0].n, 0, 'the families are revoked, so re-enabling does not resurrect them');
    await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin, body: { disabled: false } });
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).status, 401, 'old sessions stay dead after re-enabling');
    assert.equal((await login(u.email, u.password)).status, 200);
  });

  it('when an admin demotes another admin, then the admin routes answer 403 on their very next request', async () => {
    const u = await h.api.registerAndLogin();
    await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin, body: { role: 'admin' } });
    assert.equal((await h.api.call('GET', '/v1/admin/users', { token: u.access })).status, 200, 'promotion is seen without a new token');
    await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin, body: { role: 'user' } });
    assert.equal((await h.api.call('GET', '/v1/admin/users', { token: u.access })).status, 403);
  });
});
