import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub } from '@pressroom/test-support';
import type { AlertEvent } from '../../src/alerts/alerts.ts';
import { startTestGateway } from '../support/gateway-harness.ts';

const ADMIN = { email: 'admin@quota.test', password: 'admin password for tests' };

describe('API6:2023 Unrestricted Access to Sensitive Business Flows: the daily quota of content requests', () => {
  const raised: AlertEvent[] = [];
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let admin: string;
  before(async () => {
    h = await startTestGateway({ DAILY_REQUEST_QUOTA: '2', BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 'secquo', {
      alerts: { raiseAlert: (e) => void raised.push(e) },
    });
    admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
  });
  after(() => h.close());

  const submit = (token: string, i: number) => h.api.call('POST', '/v1/requests', { token, body: { topic: `quota topic ${i}` } });

  it('when a user passes DAILY_REQUEST_QUOTA, then 429 quota_exceeded with Retry-After, and an alert event is raised', async () => {
    const u = await h.api.registerAndLogin();
    assert.equal((await submit(u.access, 1)).status, 202);
    assert.equal((await submit(u.access, 2)).status, 202);
    const over = await submit(u.access, 3);
    assert.equal(over.status, 429);
    assert.equal(over.body.code, 'quota_exceeded');
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    assert.deepEqual(raised.at(-1), { kind: 'quota_exceeded', user_id: u.userId, daily_quota: 2 });
    assert.match((await h.ops.call('GET', '/metrics')).body, /pressroom_quota_exceeded_total\{[^}]*\} [1-9]/);
  });

  it('when 50 submits by one user race for the last slot of the day, then exactly one is accepted and the other 49 are quota_exceeded', async () => {
    const u = await h.api.registerAndLogin();
    assert.equal((await submit(u.access, 0)).status, 202, 'one of the two slots used');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => submit(u.access, 100 + i)));
    assert.equal(results.filter((r) => r.status === 202).length, 1);
    const refused = results.filter((r) => r.status !== 202);
    assert.ok(
      refused.every((r) => r.status === 429 && r.body.code === 'quota_exceeded'),
      JSON.stringify(refused.map((r) => r.status)),
    );
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).body.quota.used_today, 2);
    assert.equal((await h.api.call('GET', '/v1/requests?limit=100', { token: u.access })).body.items.length, 2, 'never one over');
  });

  it('when an admin overrides one user quota, then it is honoured, and null puts the user back on the default', async () => {
    const u = await h.api.registerAndLogin();
    const set = await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin, body: { daily_quota: 3 } });
    assert.equal(set.status, 200);
    assert.equal(set.body.daily_quota, 3);
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).body.quota.daily_quota, 3);
    for (let i = 1; i <= 3; i++) assert.equal((await submit(u.access, i)).status, 202, `request ${i} of 3`);
    assert.equal((await submit(u.access, 4)).status, 429);
    assert.deepEqual(raised.at(-1), { kind: 'quota_exceeded', user_id: u.userId, daily_quota: 3 });
    await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin, body: { daily_quota: null } });
    const me = (await h.api.call('GET', '/v1/me', { token: u.access })).body;
    assert.equal(me.quota.daily_quota, 2);
    assert.equal(me.quota.used_today, 3);
  });

  it('when an admin sets a quota of 0, then the user cannot submit at all', async () => {
    const u = await h.api.registerAndLogin();
    await h.api.call('PATCH', `/v1/admin/users/${u.userId}`, { token: admin, body: { daily_quota: 0 } });
    assert.equal((await submit(u.access, 1)).status, 429);
  });

  it('when the quota is exceeded with an alert sink configured, then the sink receives one quota_exceeded alert naming the user', async () => {
    const sink = await startHttpStub(() => ({ status: 204 }));
    const g = await startTestGateway({ DAILY_REQUEST_QUOTA: '1', ALERT_WEBHOOK_URL: `${sink.url}/alerts` }, 'secquoal');
    try {
      const u = await g.api.registerAndLogin();
      assert.equal((await g.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'first topic' } })).status, 202);
      assert.equal((await g.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'second topic' } })).status, 429);
      assert.equal((await g.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'third topic' } })).status, 429);
      await sink.waitFor(1);
      const body = sink.requests[0]!.json() as { alert: { kind: string; details: { user_id: string; daily_quota: number }; service: string } };
      assert.equal(body.alert.kind, 'quota_exceeded');
      assert.equal(body.alert.service, 'gateway');
      assert.deepEqual(body.alert.details, { user_id: u.userId, daily_quota: 1 });
      assert.equal(sink.requests.length, 1, 'the repeat within the cooldown was suppressed');
    } finally {
      await g.close();
      await sink.close();
    }
  });
});
