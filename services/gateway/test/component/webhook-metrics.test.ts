import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntil, startHttpStub } from '@pressroom/test-support';
import { startTestGateway } from '../support/gateway-harness.ts';

describe('completion-callback metrics (real PostgreSQL, Redis, RabbitMQ, stub receivers)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  // Loopback stands in for the public internet, until a test takes it away to make the outbound guard refuse.
  let loopbackAllowed = true;
  before(async () => {
    h = await startTestGateway(
      {
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_RETRY_BASE_MS: '40',
        WEBHOOK_RETRY_MAX_MS: '100',
        WEBHOOK_MAX_ATTEMPTS: '2',
        WEBHOOK_DISABLE_AFTER_FAILURES: '2',
        WEBHOOK_DISABLE_AFTER_S: '0',
        WEBHOOK_TIMEOUT_MS: '2000',
        ALLOW_PRIVATE_TARGETS: 'false',
      },
      'hookmetrics',
      { callbackAddressPolicy: (ip) => loopbackAllowed && ip === '127.0.0.1' },
    );
  });
  after(() => h.close());

  /** A series' value in the gateway's scrape; 0 when it has not been exported yet (a counter never incremented). */
  async function metric(name: string, labels = ''): Promise<number> {
    const text = (await h.ops.call('GET', '/metrics')).body as string;
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels) && !l.startsWith('#'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }
  const counters = async () => ({
    delivered: await metric('pressroom_webhook_attempts_total', 'outcome="delivered"'),
    rejected: await metric('pressroom_webhook_attempts_total', 'outcome="rejected"'),
    refused: await metric('pressroom_webhook_attempts_total', 'outcome="refused"'),
    unreachable: await metric('pressroom_webhook_attempts_total', 'outcome="unreachable"'),
    doneDelivered: await metric('pressroom_webhook_deliveries_total', 'result="delivered"'),
    doneFailed: await metric('pressroom_webhook_deliveries_total', 'result="failed"'),
    disabled: await metric('pressroom_webhook_endpoints_disabled_total'),
  });
  const delta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v - (a[k] ?? 0)]));
  const settled = (token: string, endpointId: string) =>
    pollUntil('the test delivery to be delivered or failed', async () => {
      const d = (await h.api.call('GET', `/v1/webhooks/${endpointId}/deliveries`, { token })).body.items[0];
      return d && d.status !== 'pending' ? d : undefined;
    });

  it('when callbacks are answered 503 then 2xx, fail for good, are refused by the outbound guard or find nobody, then each attempt, each finished delivery and each disabled endpoint is counted by outcome', async () => {
    let calls = 0;
    const flaky = await startHttpStub(() => (++calls === 1 ? { status: 503 } : { status: 204 }));
    const down = await startHttpStub(() => ({ status: 503 }));
    const closed = await startHttpStub(() => ({ status: 204 }));
    await closed.close();
    try {
      const u = await h.api.registerAndLogin();
      const endpoint = async (url: string) =>
        (await h.api.call('POST', '/v1/webhooks', { token: u.access, body: { url, events: ['request.published'] } })).body.id as string;
      const test = (id: string) => h.api.call('POST', `/v1/webhooks/${id}/test`, { token: u.access, body: {} });
      const before = await counters();

      const retried = await endpoint(flaky.url);
      await test(retried);
      assert.equal((await settled(u.access, retried)).status, 'delivered');
      const failing = await endpoint(down.url);
      await test(failing);
      assert.equal((await settled(u.access, failing)).status, 'failed');
      const nobody = await endpoint(closed.url);
      await test(nobody);
      assert.equal((await settled(u.access, nobody)).status, 'failed');
      const guarded = await endpoint(flaky.url);
      loopbackAllowed = false;
      let refusal: { status: string; last_error: string };
      try {
        await test(guarded);
        refusal = await settled(u.access, guarded);
        assert.equal(refusal.status, 'failed');
      } finally {
        loopbackAllowed = true;
      }
      // A name that does not resolve reads as the guard's refusal does: the log cannot tell names that exist on the
      // gateway's network (refused) from made-up ones.
      const unresolved = await endpoint('http://callbacks.pressroom-test.invalid/');
      await test(unresolved);
      const lost = await settled(u.access, unresolved);
      assert.equal(lost.status, 'failed');
      assert.equal(lost.last_error, refusal.last_error);
      assert.doesNotMatch(lost.last_error, /ENOTFOUND|pressroom-test/);

      assert.deepEqual(delta(before, await counters()), {
        delivered: 1,
        rejected: 3,
        refused: 2,
        unreachable: 4,
        doneDelivered: 1,
        doneFailed: 4,
        disabled: 4,
      });
    } finally {
      await flaky.close();
      await down.close();
    }
  });

  it("when an endpoint's callbacks wait behind the one it is being sent, then the lag gauge shows how long the next has been due, and falls back to 0 once they are sent; a disabled endpoint's old callbacks do not count", async () => {
    const u = await h.api.registerAndLogin();
    const { db } = h.gateway.deps;
    // A disabled endpoint with a callback due for an hour: its owner's to resume, not the delivery loop's lag.
    const parked = await h.api.call('POST', '/v1/webhooks', {
      token: u.access,
      body: { url: 'https://hooks.example.com/parked', events: ['request.published'] },
    });
    await h.api.call('PATCH', `/v1/webhooks/${parked.body.id}`, { token: u.access, body: { enabled: false } });
    await db.query(`INSERT INTO webhook_deliveries (endpoint_id, event_type, next_attempt_at) VALUES ($1, 'webhook.test', now() - interval '1 hour')`, [
      parked.body.id,
    ]);
    assert.equal(await metric('pressroom_webhook_delivery_lag_seconds', ''), 0);
    assert.equal(await metric('pressroom_webhook_endpoints_due', ''), 0);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = await startHttpStub(async () => {
      await held;
      return { status: 204 };
    });
    try {
      const endpoint = await h.api.call('POST', '/v1/webhooks', { token: u.access, body: { url: slow.url, events: ['request.published'] } });
      await h.api.call('POST', `/v1/webhooks/${endpoint.body.id}/test`, { token: u.access, body: {} });
      await h.api.call('POST', `/v1/webhooks/${endpoint.body.id}/test`, { token: u.access, body: {} });
      await slow.waitFor(1);
      await sleep(400);
      const lag = await metric('pressroom_webhook_delivery_lag_seconds', '');
      assert.ok(lag >= 0.3 && lag < 60, `the second callback has waited about 0.4 s behind the first: ${lag}`);
      assert.equal(await metric('pressroom_webhook_endpoints_due', ''), 1);
      release();
      await pollUntil('both callbacks delivered', async () => {
        const items = (await h.api.call('GET', `/v1/webhooks/${endpoint.body.id}/deliveries`, { token: u.access })).body.items as Array<{ status: string }>;
        return items.length === 2 && items.every((d) => d.status === 'delivered') ? true : undefined;
      });
      assert.equal(await metric('pressroom_webhook_delivery_lag_seconds', ''), 0);
      assert.equal(await metric('pressroom_webhook_endpoints_due', ''), 0);
    } finally {
      release();
      await slow.close();
    }
  });

  it('when a callback is held back behind an earlier one of its request that waits out its backoff, then it is not late', async () => {
    const u = await h.api.registerAndLogin();
    const endpoint = await h.api.call('POST', '/v1/webhooks', {
      token: u.access,
      body: { url: 'https://hooks.example.com/held', events: ['request.published', 'request.failed'] },
    });
    const request = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'how honeybees communicate' } });
    // A replayed request: its request.failed retries in an hour; its request.published, due long ago, waits for it.
    await h.gateway.deps.db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, request_id, next_attempt_at, created_at) VALUES
         ($1, 'request.failed', $2, now() + interval '1 hour', now() - interval '2 minutes'),
         ($1, 'request.published', $2, now() - interval '1 hour', now() - interval '1 minute')`,
      [endpoint.body.id, request.body.id],
    );
    assert.equal(await metric('pressroom_webhook_delivery_lag_seconds', ''), 0);
    assert.equal(await metric('pressroom_webhook_endpoints_due', ''), 0);
  });
});
