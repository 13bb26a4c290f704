import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as amqplib from 'amqplib';
import { BASE_URLS } from '@pressroom/test-support';
import { startTestGateway } from '../support/gateway-harness.ts';

describe('content requests API (real PostgreSQL, Redis, RabbitMQ)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let conn: amqplib.ChannelModel;
  before(async () => {
    h = await startTestGateway({ DAILY_REQUEST_QUOTA: '5' }, 'req');
    conn = await amqplib.connect(BASE_URLS.rabbitmq);
  });
  after(async () => {
    await conn.close();
    await h.close();
  });

  async function takeResearchTask(requestId: string): Promise<amqplib.GetMessage> {
    const ch = await conn.createChannel();
    try {
      for (let i = 0; i < 200; i++) {
        const m = await ch.get(`${h.config.AMQP_PREFIX}research.tasks`, { noAck: false });
        if (m && JSON.parse(m.content.toString()).request_id === requestId) {
          ch.ack(m);
          return m;
        }
        if (m) ch.nack(m, false, true);
        else await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('no research task arrived');
    } finally {
      await ch.close();
    }
  }

  it('when a topic is submitted, then 202 with Location, and the outbox relay delivers a valid research task', async () => {
    const u = await h.api.registerAndLogin();
    const res = await h.api.call('POST', '/v1/requests', {
      token: u.access,
      body: { topic: 'How honeybees communicate', audience: 'children', tone: 'casual', length: 'short' },
    });
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'queued');
    assert.equal(res.headers.get('location'), `/v1/requests/${res.body.id}`);
    const msg = await takeResearchTask(res.body.id);
    const task = JSON.parse(msg.content.toString());
    assert.equal(task.stage, 'research');
    assert.equal(task.user_id, u.userId);
    assert.equal(task.attempt, 1);
    assert.deepEqual(task.payload, {
      brief: { topic: 'How honeybees communicate', audience: 'children', tone: 'casual', length: 'short' },
      channel: { type: 'file' },
    });
    assert.equal(msg.properties.messageId, task.message_id);
    const { rows } = await h.gateway.deps.db.query('SELECT count(*)::int AS n FROM outbox');
    assert.equal(rows[0].n, 0, 'the relay removed the published row');
  });

  it('when a request is read, then it shows all three stages pending and no result yet', async () => {
    const u = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'tea processing' } });
    const res = await h.api.call('GET', `/v1/requests/${created.body.id}`, { token: u.access });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.stages.map((s: { stage: string; status: string; attempts: number }) => [s.stage, s.status, s.attempts]),
      [
        ['research', 'pending', 0],
        ['write', 'pending', 0],
        ['publish', 'pending', 0],
      ],
    );
    assert.equal(res.body.result, null);
    assert.equal(res.body.tone, 'neutral');
    assert.equal(res.body.length, 'medium');
  });

  it("when another user's request id is asked for, then 404, and a malformed id is 400", async () => {
    const owner = await h.api.registerAndLogin();
    const stranger = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: owner.access, body: { topic: 'private topic' } });
    assert.equal((await h.api.call('GET', `/v1/requests/${created.body.id}`, { token: stranger.access })).status, 404);
    const bad = await h.api.call('GET', '/v1/requests/not-a-uuid', { token: owner.access });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'id');
    const list = await h.api.call('GET', '/v1/requests', { token: stranger.access });
    assert.deepEqual(list.body.items, []);
  });

  it('when the list is paged, then items come newest first across pages and a bad cursor is 400', async () => {
    const u = await h.api.registerAndLogin();
    const ids: string[] = [];
    for (const topic of ['first topic', 'second topic', 'third topic'])
      ids.push((await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic } })).body.id);
    const page1 = await h.api.call('GET', '/v1/requests?limit=2', { token: u.access });
    assert.deepEqual(
      page1.body.items.map((i: { id: string }) => i.id),
      [ids[2], ids[1]],
    );
    assert.ok(page1.body.next_cursor);
    const page2 = await h.api.call('GET', `/v1/requests?limit=2&cursor=${page1.body.next_cursor}`, { token: u.access });
    assert.deepEqual(
      page2.body.items.map((i: { id: string }) => i.id),
      [ids[0]],
    );
    assert.equal(page2.body.next_cursor, null);
    assert.equal((await h.api.call('GET', '/v1/requests?cursor=garbage', { token: u.access })).status, 400);
    assert.equal((await h.api.call('GET', '/v1/requests?limit=0', { token: u.access })).status, 400);
    assert.equal((await h.api.call('GET', '/v1/requests?limit=101', { token: u.access })).status, 400);
    assert.equal((await h.api.call('GET', '/v1/requests?status=bogus', { token: u.access })).status, 400);
    assert.equal((await h.api.call('GET', '/v1/requests?sort=asc', { token: u.access })).status, 400);
    const queued = await h.api.call('GET', '/v1/requests?status=queued&limit=100', { token: u.access });
    assert.equal(queued.body.items.length, 3);
  });

  it('when requests are created within the same millisecond, then paging one at a time still returns each exactly once', async () => {
    const u = await h.api.registerAndLogin();
    const ids = (
      await Promise.all(['p1', 'p2', 'p3', 'p4'].map((t) => h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: `paging ${t}` } })))
    ).map((r) => r.body.id);
    const { rows } = await h.gateway.deps.db.query<{ us: number }>(
      "SELECT count(*)::int AS us FROM content_requests WHERE id = ANY($1) AND created_at <> date_trunc('milliseconds', created_at)",
      [ids],
    );
    assert.equal(rows[0]!.us, 0, 'stored with millisecond precision, like the cursor');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.api.call('GET', `/v1/requests?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: u.access });
      seen.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.deepEqual([...seen].sort(), [...ids].sort());
  });

  it('when a submission is retried with the same Idempotency-Key, then the first request is returned; a different body is 409', async () => {
    const u = await h.api.registerAndLogin();
    const body = { topic: 'coral reefs', length: 'long' };
    const first = await h.api.call('POST', '/v1/requests', { token: u.access, body, headers: { 'idempotency-key': 'key-1' } });
    const again = await h.api.call('POST', '/v1/requests', {
      token: u.access,
      body: { length: 'long', topic: 'coral reefs' },
      headers: { 'idempotency-key': 'key-1' },
    });
    assert.equal(again.status, 202);
    assert.equal(again.body.id, first.body.id);
    const clash = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'volcanoes' }, headers: { 'idempotency-key': 'key-1' } });
    assert.equal(clash.status, 409);
    const other = await h.api.registerAndLogin();
    const otherUser = await h.api.call('POST', '/v1/requests', { token: other.access, body, headers: { 'idempotency-key': 'key-1' } });
    assert.notEqual(otherUser.body.id, first.body.id, 'keys are per user');
  });

  it('when 20 retries of one submission arrive at once with the same Idempotency-Key, then one request is created and all 20 get it', async () => {
    const u = await h.api.registerAndLogin();
    const body = { topic: 'simultaneous retries' };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.api.call('POST', '/v1/requests', { token: u.access, body, headers: { 'idempotency-key': 'same-key' } })),
    );
    assert.deepEqual([...new Set(results.map((r) => r.status))], [202]);
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
    assert.equal(results.filter((r) => r.headers.get('idempotent-replayed') !== 'true').length, 1, 'one created, the rest replayed');
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).body.quota.used_today, 1, 'a replay spends no quota');
  });

  it('when an Idempotency-Key is reused after its 24 hours, then it starts a new request', async () => {
    const u = await h.api.registerAndLogin();
    const body = { topic: 'a day later' };
    const first = await h.api.call('POST', '/v1/requests', { token: u.access, body, headers: { 'idempotency-key': 'old-key' } });
    await h.gateway.deps.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1", [u.userId]);
    const later = await h.api.call('POST', '/v1/requests', { token: u.access, body, headers: { 'idempotency-key': 'old-key' } });
    assert.equal(later.status, 202);
    assert.notEqual(later.body.id, first.body.id);
    const again = await h.api.call('POST', '/v1/requests', { token: u.access, body, headers: { 'idempotency-key': 'old-key' } });
    assert.equal(again.body.id, later.body.id, 'the key now names the new request');
  });

  it('when the daily quota is used up, then 429 quota_exceeded with Retry-After, and /v1/me counts the day', async () => {
    const u = await h.api.registerAndLogin();
    for (let i = 0; i < 5; i++) assert.equal((await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: `topic number ${i}` } })).status, 202);
    const over = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'one too many' } });
    assert.equal(over.status, 429);
    assert.equal(over.body.code, 'quota_exceeded');
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    const me = await h.api.call('GET', '/v1/me', { token: u.access });
    assert.equal(me.body.quota.used_today, 5);
  });

  it('when the channel is invalid, then 400 names the field', async () => {
    const u = await h.api.registerAndLogin();
    const noUrl = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'webhooks', channel: { type: 'webhook' } } });
    assert.equal(noUrl.status, 400);
    assert.ok(noUrl.body.errors.some((e: { field: string }) => e.field === 'channel.url'));
    const ftp = await h.api.call('POST', '/v1/requests', {
      token: u.access,
      body: { topic: 'webhooks', channel: { type: 'webhook', url: 'ftp://example.com/x' } },
    });
    assert.equal(ftp.status, 400);
    const tone = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'webhooks', tone: 'angry' } });
    assert.equal(tone.status, 400);
    assert.match(tone.body.errors[0].message, /neutral, formal, casual, persuasive/);
  });
});
