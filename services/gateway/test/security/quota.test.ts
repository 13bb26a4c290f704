import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '@pressroom/telemetry';
import { createLogAlerts, type AlertEvent } from '../../src/alerts/alerts.ts';
import { captureLogs, startTestGateway } from '../support/gateway-harness.ts';

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
    assert.match((await h.api.call('GET', '/metrics')).body, /pressroom_quota_exceeded_total\{[^}]*\} [1-9]/);
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

  it('when the default alerts port raises an alert, then it logs at warn with alert: true and counts it', async () => {
    const logs = captureLogs('info');
    const metrics = createMetrics('gateway');
    const alerts = createLogAlerts({ logger: logs.logger, registry: metrics.registry });
    alerts.raiseAlert({ kind: 'quota_exceeded', user_id: '6f1c8e0e-8f3a-4c3e-9d44-1a2b3c4d5e6f', daily_quota: 5 });
    const line = logs.records().at(-1)!;
    assert.equal(line['level'], 'warn');
    assert.equal(line['alert'], true);
    assert.equal(line['kind'], 'quota_exceeded');
    assert.match(await metrics.registry.metrics(), /pressroom_alerts_total\{kind="quota_exceeded"[^}]*\} 1/);
  });
});
