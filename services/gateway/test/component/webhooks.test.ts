import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { publishEvent } from '@pressroom/messaging';
import { pollUntil, startHttpStub } from '@pressroom/test-support';
import { isAllowedAddress } from '@pressroom/resilience';
import { recordDelivered, recordFailedAttempt } from '../../src/webhooks/delivery-store.ts';
import { captureLogs, startTestGateway } from '../support/gateway-harness.ts';

const article = {
  title: 'How bees talk',
  summary: 'They dance.',
  body_markdown: '# How bees talk\n\nThey dance [1].',
  sources: [{ title: 'Bees', url: 'https://example.org/bees' }],
};

describe('webhook endpoints and completion callbacks (real PostgreSQL, Redis, RabbitMQ, stub receivers)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  const logs = captureLogs('warn');
  before(async () => {
    h = await startTestGateway(
      {
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_RETRY_BASE_MS: '40',
        WEBHOOK_RETRY_MAX_MS: '200',
        WEBHOOK_MAX_ATTEMPTS: '3',
        WEBHOOK_DISABLE_AFTER_FAILURES: '5',
        // The count alone here; the time a run of failures must also span has a test of its own.
        WEBHOOK_DISABLE_AFTER_S: '0',
        WEBHOOK_TIMEOUT_MS: '500',
        ALLOW_PRIVATE_TARGETS: 'false',
      },
      'hooks',
      // Loopback stands in for the public internet here; every other private range stays refused.
      { callbackAddressPolicy: (ip) => ip === '127.0.0.1' || isAllowedAddress(ip, false), logger: logs.logger },
    );
  });
  after(() => h.close());

  async function publishRequest(token: string, userId: string): Promise<string> {
    const created = await h.api.call('POST', '/v1/requests', { token, body: { topic: 'how honeybees communicate' } });
    const base = { request_id: created.body.id as string, user_id: userId, attempt: 1 };
    await publishEvent(h.gateway.deps.broker, { message_id: 'w-m', ...base, stage: 'write', type: 'completed', duration_ms: 5, result: { article } });
    await publishEvent(h.gateway.deps.broker, {
      message_id: 'p-m',
      ...base,
      stage: 'publish',
      type: 'completed',
      duration_ms: 5,
      result: { published_url: 'file:///tmp/bees.md' },
    });
    return base.request_id;
  }

  const deliveries = (token: string, id: string) => h.api.call('GET', `/v1/webhooks/${id}/deliveries`, { token });

  it('when a request is published, then the endpoint receives a request.published callback that verifies with its own secret and not with another endpoint’s', async () => {
    const receiver = await startHttpStub(() => ({ status: 204 }));
    try {
      const u = await h.api.registerAndLogin();
      const endpoint = await h.api.call('POST', '/v1/webhooks', { token: u.access, body: { url: `${receiver.url}/hooks`, events: ['request.published'] } });
      assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
      assert.match(endpoint.body.secret, /^whsec_/);
      const other = await h.api.call('POST', '/v1/webhooks', { token: u.access, body: { url: `${receiver.url}/other`, events: ['request.failed'] } });
      assert.notEqual(other.body.secret, endpoint.body.secret);
      const listed = await h.api.call('GET', '/v1/webhooks', { token: u.access });
      assert.equal(listed.body.items.length, 2);
      assert.ok(
        listed.body.items.every((e: Record<string, unknown>) => e['secret'] === undefined),
        'the secret is shown once',
      );

      const requestId = await publishRequest(u.access, u.userId);
      await receiver.waitFor(1);
      const call = receiver.requests[0]!;
      assert.equal(call.path, '/hooks', 'only the endpoint subscribed to request.published is called');
      const payload = new Webhook(endpoint.body.secret).verify(call.body, call.headers as Record<string, string>) as {
        type: string;
        data: Record<string, unknown>;
      };
      assert.equal(payload.type, 'request.published');
      assert.equal(payload.data['request_id'], requestId);
      assert.equal(payload.data['title'], article.title);
      assert.equal(payload.data['published_url'], 'file:///tmp/bees.md');
      assert.match(String(call.headers['webhook-id']), /^msg_/);
      assert.throws(
        () => new Webhook(other.body.secret).verify(call.body, call.headers as Record<string, string>),
        'another endpoint’s secret does not verify',
      );
      const log = await pollUntil('the delivery logged as delivered', async () => {
        const res = await deliveries(u.access, endpoint.body.id);
        return res.body.items[0]?.status === 'delivered' ? res.body.items[0] : undefined;
      });
      assert.equal(log.last_status_code, 204);
      assert.equal(log.attempts, 1);
    } finally {
      await receiver.close();
    }
  });

  it('when a secret is rotated, then during the overlap both secrets verify, and a test event is delivered', async () => {
    const receiver = await startHttpStub(() => ({ status: 200, body: { ok: true } }));
    try {
      const u = await h.api.registerAndLogin();
      const endpoint = await h.api.call('POST', '/v1/webhooks', {
        token: u.access,
        body: { url: receiver.url, events: ['request.published', 'request.failed'] },
      });
      const rotated = await h.api.call('POST', `/v1/webhooks/${endpoint.body.id}/rotate-secret`, { token: u.access, body: {} });
      assert.equal(rotated.status, 200);
      assert.equal(rotated.body.secret_version, 2);
      assert.notEqual(rotated.body.secret, endpoint.body.secret);
      assert.ok(rotated.body.previous_secret_valid_until);
      const test = await h.api.call('POST', `/v1/webhooks/${endpoint.body.id}/test`, { token: u.access, body: {} });
      assert.equal(test.status, 202);
      assert.equal(test.body.event_type, 'webhook.test');
      await receiver.waitFor(1);
      const call = receiver.requests[0]!;
      for (const secret of [endpoint.body.secret, rotated.body.secret]) new Webhook(secret).verify(call.body, call.headers as Record<string, string>);
      await h.api.call('POST', `/v1/webhooks/${endpoint.body.id}/rotate-secret`, { token: u.access, body: { overlap_s: 0 } });
      const after = await h.api.call('GET', `/v1/webhooks/${endpoint.body.id}`, { token: u.access });
      assert.equal(after.body.previous_secret_valid_until, null, 'with no overlap the old secret stops signing at once');
    } finally {
      await receiver.close();
    }
  });

  it('when the receiver answers 5xx or times out, then attempts back off up to the limit, the log shows why, and the endpoint is disabled after the documented run of failures', async () => {
    let calls = 0;
    const receiver = await startHttpStub(() => (++calls % 2 === 0 ? { status: 200, delayMs: 1500 } : { status: 503, body: { error: 'busy' } }));
    try {
      const u = await h.api.registerAndLogin();
      const endpoint = await h.api.call('POST', '/v1/webhooks', { token: u.access, body: { url: receiver.url, events: ['request.published'] } });
      const requestId = await publishRequest(u.access, u.userId);
      const failed = await pollUntil('the first delivery to fail for good', async () => {
        const res = await deliveries(u.access, endpoint.body.id);
        return res.body.items[0]?.status === 'failed' ? res.body.items[0] : undefined;
      });
      assert.equal(failed.attempts, 3, 'WEBHOOK_MAX_ATTEMPTS attempts');
      assert.equal(receiver.requests.length, 3);
      const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
      assert.equal(ids.size, 1, 'every retry carries the same webhook-id');
      const times = receiver.requests.map((r) => Number(r.headers['webhook-timestamp']));
      assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]!));
      assert.match(failed.last_error, /answered 503|timeout|Timeout/);
      const attemptLines = logs.records().filter((r) => r['msg'] === 'webhook delivery attempt failed' && r['delivery_id'] === failed.id);
      assert.equal(attemptLines.length, 3);
      assert.ok(
        attemptLines.every((r) => r['request_id'] === requestId),
        'each attempt is logged with its request id',
      );

      await publishRequest(u.access, u.userId);
      const disabled = await pollUntil('the endpoint to be disabled', async () => {
        const res = await h.api.call('GET', `/v1/webhooks/${endpoint.body.id}`, { token: u.access });
        return res.body.enabled === false ? res.body : undefined;
      });
      assert.equal(disabled.consecutive_failures, 5);
      assert.match(disabled.disabled_reason, /disabled after 5 failed delivery attempts in a row/);
      assert.equal((await h.api.call('POST', `/v1/webhooks/${endpoint.body.id}/test`, { token: u.access, body: {} })).status, 409);
      const enabled = await h.api.call('PATCH', `/v1/webhooks/${endpoint.body.id}`, { token: u.access, body: { enabled: true } });
      assert.equal(enabled.body.enabled, true);
      assert.equal(enabled.body.consecutive_failures, 0);
      assert.equal(enabled.body.disabled_reason, null);
    } finally {
      await receiver.close();
    }
  });

  it('when a callback URL points at a private address, directly, by name or by redirect, then it is refused and nothing reaches it', async () => {
    const u = await h.api.registerAndLogin();
    const literal = await h.api.call('POST', '/v1/webhooks', {
      token: u.access,
      body: { url: 'http://169.254.169.254/latest', events: ['request.published'] },
    });
    assert.equal(literal.status, 400);
    assert.equal(literal.body.code, 'validation_failed');
    assert.deepEqual(literal.body.errors, [{ field: 'url', message: 'is not an allowed target' }]);
    // The same rules for a submission's ad-hoc webhook: refused before it is accepted, with nothing spent.
    const before = (await h.api.call('GET', '/v1/me', { token: u.access })).body;
    const adHoc = await h.api.call('POST', '/v1/requests', {
      token: u.access,
      body: { topic: 'steal the metadata', channel: { type: 'webhook', url: 'http://169.254.169.254/latest' } },
    });
    assert.equal(adHoc.status, 400);
    assert.deepEqual(adHoc.body.errors, [{ field: 'channel.url', message: 'is not an allowed target' }]);
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).body.quota.used_today, before.quota.used_today, 'no quota spent');
    const redirector = await startHttpStub(() => ({ status: 307, headers: { location: 'http://10.0.0.7/steal' } }));
    try {
      const endpoint = await h.api.call('POST', '/v1/webhooks', { token: u.access, body: { url: redirector.url, events: ['request.published'] } });
      const byName = await h.api.call('POST', '/v1/webhooks', {
        token: u.access,
        body: { url: 'http://metadata.localtest.invalid/', events: ['request.published'] },
      });
      assert.equal(byName.status, 201);
      await h.api.call('POST', `/v1/webhooks/${endpoint.body.id}/test`, { token: u.access, body: {} });
      const refused = await pollUntil('the redirect to be refused', async () => {
        const res = await deliveries(u.access, endpoint.body.id);
        return res.body.items[0]?.last_error ? res.body.items[0] : undefined;
      });
      assert.match(refused.last_error, /answered 307, a redirect, which is not followed/);
      assert.equal(refused.status, 'pending', 'retried with backoff');
    } finally {
      await redirector.close();
    }
  });

  it('when a user reads or changes another user’s endpoint, then 404; bad bodies are 400', async () => {
    const a = await h.api.registerAndLogin();
    const b = await h.api.registerAndLogin();
    const endpoint = await h.api.call('POST', '/v1/webhooks', { token: a.access, body: { url: 'https://hooks.example.com/a', events: ['request.failed'] } });
    for (const [method, path] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['GET', '/deliveries'],
      ['POST', '/test'],
      ['POST', '/rotate-secret'],
    ] as const) {
      const res = await h.api.call(method, `/v1/webhooks/${endpoint.body.id}${path}`, {
        token: b.access,
        ...(method === 'PATCH' ? { body: { enabled: false } } : method === 'POST' ? { body: {} } : {}),
      });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    assert.equal((await h.api.call('POST', '/v1/webhooks', { token: a.access, body: { url: 'ftp://x.example.com', events: ['request.failed'] } })).status, 400);
    assert.equal(
      (await h.api.call('POST', '/v1/webhooks', { token: a.access, body: { url: 'https://x.example.com', events: ['request.started'] } })).status,
      400,
    );
    assert.equal((await h.api.call('PATCH', `/v1/webhooks/${endpoint.body.id}`, { token: a.access, body: {} })).status, 400);
    assert.equal((await h.api.call('DELETE', `/v1/webhooks/${endpoint.body.id}`, { token: a.access })).status, 204);
    assert.equal((await h.api.call('GET', `/v1/webhooks/${endpoint.body.id}`, { token: a.access })).status, 404);
  });

  it("when one endpoint is slow and backlogged, then it is called one delivery at a time, and another user's callback does not wait behind it", async () => {
    const slow = await startHttpStub(() => ({ status: 200, delayMs: 300 }));
    const fast = await startHttpStub(() => ({ status: 204 }));
    try {
      const [a, b] = [await h.api.registerAndLogin(), await h.api.registerAndLogin()];
      const slowEndpoint = await h.api.call('POST', '/v1/webhooks', { token: a.access, body: { url: slow.url, events: ['request.published'] } });
      const fastEndpoint = await h.api.call('POST', '/v1/webhooks', { token: b.access, body: { url: fast.url, events: ['request.published'] } });
      // More of the slow endpoint's deliveries than a replica has slots, all due before the other user's one.
      const insert = (endpointId: string, n: number) =>
        h.gateway.deps.db.query(`INSERT INTO webhook_deliveries (endpoint_id, event_type) SELECT $1, 'webhook.test' FROM generate_series(1, $2::int)`, [
          endpointId,
          n,
        ]);
      await insert(slowEndpoint.body.id, 21);
      await insert(fastEndpoint.body.id, 1);
      h.gateway.deps.deliveries.wake();
      await fast.waitFor(1);
      const slowBefore = slow.requests.length;
      await slow.waitFor(3);
      assert.ok(slowBefore <= 2, `the other user's callback went out after ${slowBefore} of the slow endpoint's (20 before: a batch waited for its slowest)`);
      const starts = slow.requests.map((r) => r.receivedAt);
      const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
      assert.ok(
        gaps.every((g) => g >= 250),
        `one call at a time to the slow endpoint (300 ms each): gaps ${gaps.join(', ')} ms`,
      );
    } finally {
      await Promise.all([slow.close(), fast.close()]);
    }
  });

  it('when a callback is retried after its request changed (a replay reopened it), then every attempt sends the event as it happened', async () => {
    let calls = 0;
    let reopened!: () => void;
    const requestChanged = new Promise<void>((resolve) => (reopened = resolve));
    // The first attempt is answered (500) only once the request has changed, so the retry comes after the change.
    const receiver = await startHttpStub(async () => (++calls === 1 ? (await requestChanged, { status: 500 }) : { status: 204 }));
    try {
      const u = await h.api.registerAndLogin();
      const endpoint = await h.api.call('POST', '/v1/webhooks', { token: u.access, body: { url: receiver.url, events: ['request.failed'] } });
      assert.equal(endpoint.status, 201);
      const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'how honeybees communicate' } });
      const id = created.body.id as string;
      const error = { code: 'upstream_404', message: 'the search service answered HTTP 404' };
      await publishEvent(h.gateway.deps.broker, {
        message_id: 'r-f',
        request_id: id,
        user_id: u.userId,
        attempt: 1,
        stage: 'research',
        type: 'failed',
        duration_ms: 5,
        error,
      });
      await receiver.waitFor(1);
      // While the first attempt waits for its answer, the request is put back in flight, as a replay does.
      await h.gateway.deps.db.query("UPDATE content_requests SET status = 'researching', error = NULL WHERE id = $1", [id]);
      reopened();
      await receiver.waitFor(2);
      const [first, second] = receiver.requests.map((r) => r.json() as { type: string; timestamp: string; data: Record<string, unknown> });
      assert.equal(second!.type, 'request.failed');
      assert.equal(second!.data['status'], 'failed', 'the retry still says what happened');
      assert.deepEqual(second!.data['error'], { stage: 'research', ...error });
      assert.deepEqual(second, first, 'the same message on every attempt');
      assert.equal(receiver.requests[1]!.headers['webhook-id'], receiver.requests[0]!.headers['webhook-id']);
    } finally {
      await receiver.close();
    }
  });

  it('when the receiver answers 2xx with a large body, then the callback is delivered on that attempt (the body is not read)', async () => {
    const receiver = await startHttpStub(() => ({ status: 200, body: `<html>${'x'.repeat(300_000)}</html>` }));
    try {
      const u = await h.api.registerAndLogin();
      const endpoint = await h.api.call('POST', '/v1/webhooks', { token: u.access, body: { url: receiver.url, events: ['request.published'] } });
      await h.api.call('POST', `/v1/webhooks/${endpoint.body.id}/test`, { token: u.access, body: {} });
      const done = await pollUntil('the test delivery to settle', async () => {
        const res = await deliveries(u.access, endpoint.body.id);
        const d = res.body.items[0];
        return d && (d.status !== 'pending' || d.attempts > 0) ? d : undefined;
      });
      assert.equal(done.status, 'delivered', JSON.stringify(done));
      assert.equal(done.attempts, 1);
      assert.equal(receiver.requests.length, 1);
    } finally {
      await receiver.close();
    }
  });

  it("when one user's API call wakes the delivery loop, then another user's callbacks are logged with their own request and owner, not with that call", async () => {
    const receiver = await startHttpStub(() => ({ status: 503 }));
    try {
      const a = await h.api.registerAndLogin();
      const b = await h.api.registerAndLogin();
      const aEndpoint = await h.api.call('POST', '/v1/webhooks', { token: a.access, body: { url: receiver.url, events: ['request.published'] } });
      const bEndpoint = await h.api.call('POST', '/v1/webhooks', { token: b.access, body: { url: receiver.url, events: ['request.published'] } });
      // A's test event is the last call to wake the loop before B's request is published (by broker events).
      const woke = await h.api.call('POST', `/v1/webhooks/${aEndpoint.body.id}/test`, {
        token: a.access,
        body: {},
        headers: { 'x-request-id': 'wake-by-user-a-01' },
      });
      assert.equal(woke.status, 202);
      const requestId = await publishRequest(b.access, b.userId);
      const lines = await pollUntil("B's callback attempts to be logged", async () => {
        const found = logs.records().filter((r) => r['msg'] === 'webhook delivery attempt failed' && r['endpoint_id'] === bEndpoint.body.id);
        return found.length >= 2 ? found : undefined;
      });
      for (const line of lines) {
        assert.equal(line['request_id'], requestId);
        assert.equal(line['user_id'], b.userId, "the endpoint owner's id, not the caller who woke the loop");
        assert.equal(line['http_request_id'], undefined, 'no HTTP call of the API is being served');
      }
      const testLines = logs.records().filter((r) => r['msg'] === 'webhook delivery attempt failed' && r['endpoint_id'] === aEndpoint.body.id);
      assert.ok(testLines.length > 0);
      assert.ok(testLines.every((r) => r['user_id'] === a.userId && r['http_request_id'] === undefined && r['request_id'] === undefined));
    } finally {
      await receiver.close();
    }
  });

  it('when failures come in a burst (a backlog meeting a receiver down for a minute), then the endpoint stays enabled until they have also lasted WEBHOOK_DISABLE_AFTER_S', async () => {
    const u = await h.api.registerAndLogin();
    const endpoint = await h.api.call('POST', '/v1/webhooks', {
      token: u.access,
      body: { url: 'https://hooks.example.com/burst', events: ['request.published'] },
    });
    const { db } = h.gateway.deps;
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, next_attempt_at) SELECT $1, 'webhook.test', now() + interval '1 day' FROM generate_series(1, 6) RETURNING id`,
      [endpoint.body.id],
    );
    const fail = (id: string) =>
      recordFailedAttempt(db, {
        id,
        endpointId: endpoint.body.id,
        statusCode: 503,
        error: 'the endpoint answered 503',
        retryAt: new Date(Date.now() + 86_400_000),
        maxAttempts: 8,
        disableAfter: 2,
        disableAfterS: 3600,
        attempts: 0,
      }).then((r) => r.disabled);
    assert.equal(await fail(rows[0]!.id), false);
    assert.equal(await fail(rows[1]!.id), false, 'two failures in a row, but within seconds: still enabled');
    const burst = (await h.api.call('GET', `/v1/webhooks/${endpoint.body.id}`, { token: u.access })).body;
    assert.deepEqual([burst.enabled, burst.consecutive_failures], [true, 2]);
    // The same run of failures, begun over an hour ago.
    await db.query("UPDATE webhook_endpoints SET failing_since = now() - interval '61 minutes' WHERE id = $1", [endpoint.body.id]);
    assert.equal(await fail(rows[2]!.id), true, 'disabled once the run has lasted the hour');
    const disabled = (await h.api.call('GET', `/v1/webhooks/${endpoint.body.id}`, { token: u.access })).body;
    assert.equal(disabled.enabled, false);
    assert.match(disabled.disabled_reason, /^disabled after 3 failed delivery attempts in a row since \d{4}-\d\d-\d\dT/);
    // A success ends the run: the next failure starts a new one, counted from now.
    await h.api.call('PATCH', `/v1/webhooks/${endpoint.body.id}`, { token: u.access, body: { enabled: true } });
    assert.equal(await fail(rows[3]!.id), false);
    const { rows: since } = await db.query<{ recent: boolean }>(
      "SELECT failing_since > now() - interval '1 minute' AS recent FROM webhook_endpoints WHERE id = $1",
      [endpoint.body.id],
    );
    assert.equal(since[0]!.recent, true, 're-enabling started a new run');
    // A failure after a quiet gap as long as the window starts a new run: an old run's start does not make a burst long.
    await db.query(
      "UPDATE webhook_endpoints SET consecutive_failures = 5, failing_since = now() - interval '3 hours', last_failed_at = now() - interval '2 hours' WHERE id = $1",
      [endpoint.body.id],
    );
    assert.equal(await fail(rows[4]!.id), false, 'a new run, not the tail of the old one');
    assert.equal((await h.api.call('GET', `/v1/webhooks/${endpoint.body.id}`, { token: u.access })).body.consecutive_failures, 1);
    // A delivered attempt ends the run.
    await recordDelivered(db, { id: rows[5]!.id, endpointId: endpoint.body.id, statusCode: 204, attempts: 0 });
    const { rows: ended } = await db.query('SELECT consecutive_failures, failing_since, last_failed_at FROM webhook_endpoints WHERE id = $1', [
      endpoint.body.id,
    ]);
    assert.deepEqual(ended[0], { consecutive_failures: 0, failing_since: null, last_failed_at: null });
  });

  it('when deliveries are enqueued within the same millisecond, then paging one at a time lists each exactly once', async () => {
    const u = await h.api.registerAndLogin();
    const endpoint = await h.api.call('POST', '/v1/webhooks', {
      token: u.access,
      body: { url: 'https://hooks.example.com/paging', events: ['request.failed'] },
    });
    // One statement, as the status trigger enqueues one delivery per endpoint (delivered, so the loop leaves them).
    const { rows } = await h.gateway.deps.db.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, status) SELECT $1, 'webhook.test', 'delivered' FROM generate_series(1, 4) RETURNING id`,
      [endpoint.body.id],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.api.call('GET', `/v1/webhooks/${endpoint.body.id}/deliveries?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: u.access });
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.next_cursor;
    } while (cursor && seen.length <= rows.length);
    assert.deepEqual([...seen].sort(), rows.map((r) => r.id).sort());
  });

  it('when a request names a registered endpoint as its channel, then its task carries the URL and signing versions, and an ad-hoc URL gets its own secret, the same on a replay', async () => {
    const u = await h.api.registerAndLogin();
    const endpoint = await h.api.call('POST', '/v1/webhooks', {
      token: u.access,
      body: { url: 'https://hooks.example.com/articles', events: ['request.published'] },
    });
    const viaEndpoint = await h.api.call('POST', '/v1/requests', {
      token: u.access,
      body: { topic: 'endpoint channel', channel: { type: 'webhook', endpoint_id: endpoint.body.id } },
    });
    assert.equal(viaEndpoint.status, 202);
    assert.equal(viaEndpoint.body.webhook_secret, undefined);
    const task = await pollUntil('the outbox row or its relay', async () => {
      const { rows } = await h.gateway.deps.db.query<{ payload: unknown }>("SELECT message->'payload' AS payload FROM outbox WHERE request_id = $1", [
        viaEndpoint.body.id,
      ]);
      return rows[0]?.payload ?? 'relayed';
    });
    if (task !== 'relayed')
      assert.deepEqual((task as { channel: unknown }).channel, {
        type: 'webhook',
        endpoint_id: endpoint.body.id,
        url: 'https://hooks.example.com/articles',
        secret_versions: [1],
      });
    const stranger = await h.api.registerAndLogin();
    const foreign = await h.api.call('POST', '/v1/requests', {
      token: stranger.access,
      body: { topic: 'foreign endpoint', channel: { type: 'webhook', endpoint_id: endpoint.body.id } },
    });
    assert.equal(foreign.status, 400);
    const both = await h.api.call('POST', '/v1/requests', {
      token: u.access,
      body: { topic: 'both', channel: { type: 'webhook', endpoint_id: endpoint.body.id, url: 'https://x.example.com' } },
    });
    assert.equal(both.status, 400);

    const adHoc = { topic: 'ad hoc channel', channel: { type: 'webhook', url: 'https://hooks.example.com/once' } };
    const first = await h.api.call('POST', '/v1/requests', { token: u.access, body: adHoc, headers: { 'idempotency-key': 'adhoc-1' } });
    assert.match(first.body.webhook_secret, /^whsec_/);
    const replay = await h.api.call('POST', '/v1/requests', { token: u.access, body: adHoc, headers: { 'idempotency-key': 'adhoc-1' } });
    assert.equal(replay.body.webhook_secret, first.body.webhook_secret);
    const second = await h.api.call('POST', '/v1/requests', { token: u.access, body: adHoc });
    assert.notEqual(second.body.webhook_secret, first.body.webhook_secret, 'no two receivers share a key');
  });
});
