import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { publishEvent } from '@pressroom/messaging';
import type { StageEvent } from '@pressroom/contracts';
import { BASE_URLS, pollUntil } from '@pressroom/test-support';
import { startGateway, type RunningGateway } from '../../src/gateway.ts';
import { startTestGateway } from '../support/gateway-harness.ts';
import { openEventStream } from '../support/sse-client.ts';

const article = {
  title: 'Bees',
  summary: 'About bees.',
  body_markdown: '# Bees\n\nBees dance [1].',
  sources: [{ title: 'Honeybees', url: 'file:///corpus/honeybees.md' }],
};
const ADMIN = { email: 'admin@streams.test', password: 'streams admin password' };

describe('following a request over Server-Sent Events (real PostgreSQL, Redis and RabbitMQ)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    h = await startTestGateway(
      {
        STREAM_HEARTBEAT_MS: '300',
        MAX_STREAMS_PER_USER: '3',
        STREAM_MAX_BUFFER_BYTES: '65536',
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      },
      'sse',
    );
  });
  after(() => h.close());

  /**
   * A second replica on the same database, broker prefix and Redis prefix, for the tests about replicas only:
   * its tracker competes for the events queue, and the other tests emit a request's events faster than two
   * competing trackers keep them in order.
   */
  async function withReplica(test: (replicaUrl: string) => Promise<void>) {
    const replica: RunningGateway = await startGateway(h.config, { port: 0 });
    try {
      await test(`http://127.0.0.1:${replica.port}`);
    } finally {
      await replica.shutdown.shutdown();
    }
  }

  const emit = (base: { request_id: string; user_id: string }, stage: StageEvent['stage'], type: StageEvent['type'], extra: Partial<StageEvent> = {}) =>
    publishEvent(h.gateway.deps.broker, { message_id: `${stage}-m`, ...base, stage, type, attempt: 1, ...extra });

  async function submitted(user?: Awaited<ReturnType<typeof h.api.registerAndLogin>>) {
    const u = user ?? (await h.api.registerAndLogin());
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'honeybees' } });
    assert.equal(created.status, 202);
    return { u, id: created.body.id as string, base: { request_id: created.body.id as string, user_id: u.userId } };
  }
  const eventsUrl = (id: string, base = h.url) => `${base}/v1/requests/${id}/events`;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('when a request goes from submit to published, then its stream alone tells every stage start and completion and the final status, then ends', async () => {
    const { u, id, base } = await submitted();
    const stream = await openEventStream(eventsUrl(id), bearer(u.access));
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(stream.headers.get('cache-control'), 'no-cache, no-transform');
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    // Research was quick: its worker sent no `started` (STARTED_EVENT_DELAY_MS), only the completion.
    await emit(base, 'research', 'completed', { at: at(100), duration_ms: 100 });
    await stream.event((e) => e.event === 'request.research.completed', 'research completed');
    await emit(base, 'write', 'started', { at: at(150) });
    await emit(base, 'write', 'completed', { at: at(400), duration_ms: 250, result: { article } });
    await emit(base, 'publish', 'completed', { at: at(450), duration_ms: 30, result: { published_url: 'file:///tmp/bees.md' } });
    const events = await stream.ended();

    const names = events.map((e) => e.event);
    for (const stage of ['research', 'write', 'publish'])
      assert.ok(
        names.indexOf(`request.${stage}.started`) < names.indexOf(`request.${stage}.completed`) && names.includes(`request.${stage}.started`),
        `${stage} started before completed: ${names.join(', ')}`,
      );
    const researchStart = events.find((e) => e.event === 'request.research.started')!;
    assert.equal(researchStart.data.synthesised, true, 'a skipped started event is inferred from the completion');
    assert.equal(researchStart.data.at, at(0), "its time is the completion's less its duration");
    assert.deepEqual(
      events.filter((e) => e.event === 'request.status').map((e) => e.data.status),
      ['researching', 'writing', 'publishing', 'published'].filter((s) => events.some((e) => e.event === 'request.status' && e.data.status === s)),
    );
    const final = events.at(-1)!;
    assert.equal(final.event, 'request.status');
    assert.equal(final.data.status, 'published');
    assert.equal(final.data.published_url, 'file:///tmp/bees.md');
    const ids = events.map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'ids only grow',
    );
    assert.equal(new Set(ids).size, ids.length, 'every event has its own id');
    assert.ok(stream.isEnded, 'the server closed the stream after the final status');
  });

  it('when a client disconnects and reconnects to another replica with Last-Event-ID, then it receives exactly what it missed, then the live events', () =>
    withReplica(async (replicaUrl) => {
      const { u, id, base } = await submitted();
      const first = await openEventStream(eventsUrl(id), bearer(u.access));
      await emit(base, 'research', 'started');
      await emit(base, 'research', 'completed', { duration_ms: 5 });
      const seen = await first.event((e) => e.event === 'request.research.completed');
      await first.close();
      // Missed while away: the write stage ran.
      await emit(base, 'write', 'started');
      await emit(base, 'write', 'completed', { duration_ms: 5, result: { article } });
      await pollUntil(
        'write recorded',
        async () => (await h.api.call('GET', `/v1/requests/${id}`, { token: u.access })).body.stages[1].status === 'completed' || undefined,
      );

      const second = await openEventStream(eventsUrl(id, replicaUrl), { ...bearer(u.access), 'last-event-id': seen.id! });
      await second.event((e) => e.event === 'request.write.completed', 'the missed write completion');
      await emit(base, 'publish', 'completed', { duration_ms: 5, result: { published_url: 'file:///tmp/again.md' } });
      const resumed = await second.ended();
      const before = first.events.map((e) => Number(e.id));
      const after = resumed.map((e) => Number(e.id));
      assert.ok(
        after.every((n) => n > Number(seen.id)),
        'nothing already seen is sent again',
      );
      assert.deepEqual(
        [...first.events.filter((e) => Number(e.id) <= Number(seen.id)), ...resumed]
          .map((e) => e.event)
          .filter((n) => n.startsWith('request.write') || n.startsWith('request.publish')),
        ['request.write.started', 'request.write.completed', 'request.publish.started', 'request.publish.completed'],
      );
      assert.ok(before.length > 0 && after.length > 0);
      assert.equal(resumed.at(-1)!.data.status, 'published');
    }));

  it('when a replica shuts down with streams open, then it ends them at once (not at its deadline) and the client resumes on another replica', async () => {
    const { u, id, base } = await submitted();
    await emit(base, 'research', 'started');
    const replica: RunningGateway = await startGateway(h.config, { port: 0 });
    const stream = await openEventStream(eventsUrl(id, `http://127.0.0.1:${replica.port}`), bearer(u.access));
    const first = await stream.event((e) => e.event === 'request.research.started');
    const started = performance.now();
    await replica.shutdown.shutdown();
    const tookMs = performance.now() - started;
    // SHUTDOWN_TIMEOUT_MS is 3000 here: waiting for the stream would have spent all of it.
    assert.ok(tookMs < h.config.SHUTDOWN_TIMEOUT_MS / 2, `shutdown took ${Math.round(tookMs)} ms`);
    await stream.ended();
    const resumed = await openEventStream(eventsUrl(id), { ...bearer(u.access), 'last-event-id': first.id! });
    await emit(base, 'research', 'completed', { duration_ms: 5 });
    assert.equal((await resumed.event((e) => e.event === 'request.research.completed')).event, 'request.research.completed');
    assert.ok(!resumed.events.some((e) => e.event === 'request.research.started'), 'nothing seen twice');
    await resumed.close();
  });

  it('when the session or API key that opened a stream ends, then the stream ends at its next heartbeat', async () => {
    const { u, id } = await submitted();
    const bySession = await openEventStream(eventsUrl(id), bearer(u.access));
    const key = (await h.api.call('POST', '/v1/api-keys', { token: u.access, body: { name: 'follower', scopes: ['requests:read'] } })).body;
    const byKey = await openEventStream(eventsUrl(id), bearer(key.key));
    assert.equal(byKey.status, 200);
    assert.equal((await h.api.call('DELETE', `/v1/api-keys/${key.id}`, { token: u.access })).status, 204);
    await byKey.ended();
    assert.equal(bySession.isEnded, false, 'the session stream goes on');
    assert.equal((await h.api.call('POST', '/v1/auth/logout', { token: u.access, body: {} })).status, 204);
    await bySession.ended();
  });

  it('when a stream has nothing to say for a while, then it sends heartbeat comments', async () => {
    const { u, id } = await submitted();
    const stream = await openEventStream(eventsUrl(id), bearer(u.access));
    assert.equal(await stream.comment('a heartbeat'), 'heartbeat');
    await stream.close();
  });

  it('when a finished request is followed, then the stream sends its history and ends; resumed after its last event, it ends at once', async () => {
    const { u, id, base } = await submitted();
    await emit(base, 'research', 'failed', { duration_ms: 3, error: { code: 'no_sources', message: 'nothing found' } });
    await pollUntil('failed recorded', async () => (await h.api.call('GET', `/v1/requests/${id}`, { token: u.access })).body.status === 'failed' || undefined);
    const events = await (await openEventStream(eventsUrl(id), bearer(u.access))).ended();
    assert.deepEqual(events.at(-1)!.data.error, { stage: 'research', code: 'no_sources', message: 'nothing found' });
    const again = await openEventStream(eventsUrl(id), { ...bearer(u.access), 'last-event-id': events.at(-1)!.id! });
    assert.deepEqual(await again.ended(), []);
  });

  it('when another user follows a request, then it is 404; an admin may follow any; no credential is 401', async () => {
    const { id } = await submitted();
    const other = await h.api.registerAndLogin();
    const refused = await openEventStream(eventsUrl(id), bearer(other.access));
    assert.equal(refused.status, 404);
    assert.equal(refused.problem.code, 'not_found');
    const admin = await h.api.call('POST', '/v1/auth/login', { body: ADMIN });
    const followed = await openEventStream(eventsUrl(id), bearer(admin.body.access_token));
    assert.equal(followed.status, 200);
    await followed.close();
    assert.equal((await openEventStream(eventsUrl(id))).status, 401);
    assert.equal((await openEventStream(eventsUrl(id), { 'last-event-id': 'x' })).status, 401);
    assert.equal((await openEventStream(eventsUrl(id), { ...bearer(other.access), 'last-event-id': 'not-a-number' })).status, 400);
  });

  it('when EventSource uses a stream ticket, then it works once, for that request only; a spent, expired or unknown ticket is 401', async () => {
    const { u, id, base } = await submitted();
    const issued = await h.api.call('POST', '/v1/stream-tickets', { token: u.access, body: { request_id: id } });
    assert.equal(issued.status, 201);
    assert.equal(issued.headers.get('cache-control'), 'no-store');
    assert.equal(issued.body.events_url, `/v1/requests/${id}/events?ticket=${issued.body.ticket}`);
    assert.ok(Date.parse(issued.body.expires_at) - Date.now() <= 60_000);
    const stream = await openEventStream(`${h.url}${issued.body.events_url}`);
    assert.equal(stream.status, 200, 'no Authorization header needed');
    await emit(base, 'research', 'started');
    await stream.event((e) => e.event === 'request.research.started');
    await stream.close();

    const spent = await openEventStream(`${h.url}${issued.body.events_url}`);
    assert.equal(spent.status, 401);
    assert.equal(spent.problem.code, 'unauthorized');
    // Resuming takes a new ticket and says where it stopped, in the query (EventSource cannot set the header).
    const seen = stream.events.find((e) => e.event === 'request.research.started')!;
    await emit(base, 'research', 'completed', { duration_ms: 5 });
    const fresh = (await h.api.call('POST', '/v1/stream-tickets', { token: u.access, body: { request_id: id } })).body.ticket;
    const resumed = await openEventStream(`${eventsUrl(id)}?ticket=${fresh}&last_event_id=${seen.id}`);
    assert.equal((await resumed.event((e) => e.event === 'request.research.completed')).event, 'request.research.completed');
    assert.ok(!resumed.events.some((e) => Number(e.id) <= Number(seen.id)), 'nothing before last_event_id');
    await resumed.close();
    assert.equal((await openEventStream(`${eventsUrl(id)}?last_event_id=x1`, bearer(u.access))).status, 400);

    const { id: otherId } = await submitted(u);
    const forOther = (await h.api.call('POST', '/v1/stream-tickets', { token: u.access, body: { request_id: otherId } })).body.ticket;
    assert.equal((await openEventStream(`${eventsUrl(id)}?ticket=${forOther}`)).status, 401, 'a ticket for another request does not open this one');
    assert.equal((await openEventStream(`${eventsUrl(id)}?ticket=${'A'.repeat(32)}`)).status, 401);

    // Expiry: the ticket's key lapses in Redis (its TTL shortened here rather than waiting 60 s).
    const late = (await h.api.call('POST', '/v1/stream-tickets', { token: u.access, body: { request_id: id } })).body.ticket;
    const redis = new Redis(BASE_URLS.redis, { keyPrefix: h.config.REDIS_KEY_PREFIX });
    try {
      const [key] = (await redis.keys(`${h.config.REDIS_KEY_PREFIX}stream-ticket:*`)).map((k) => k.slice(h.config.REDIS_KEY_PREFIX.length));
      assert.ok(key, 'the ticket is kept under its hash');
      assert.ok(!key.includes(late), 'never under the ticket itself');
      assert.ok((await redis.ttl(key)) <= 60);
      await redis.pexpire(key, 1);
      await pollUntil('the ticket to expire', async () => (await redis.exists(key)) === 0 || undefined);
    } finally {
      redis.disconnect();
    }
    assert.equal((await openEventStream(`${eventsUrl(id)}?ticket=${late}`)).status, 401);
    const wrongUser = await h.api.registerAndLogin();
    assert.equal((await h.api.call('POST', '/v1/stream-tickets', { token: wrongUser.access, body: { request_id: id } })).status, 404);
    assert.equal((await h.api.call('POST', '/v1/stream-tickets', { token: u.access, body: { request_id: id, extra: 1 } })).status, 400);
  });

  it('when the session behind an unspent ticket ends (logout), then the ticket opens nothing: 401, not the history', async () => {
    const { u, id } = await submitted();
    const ticket = (await h.api.call('POST', '/v1/stream-tickets', { token: u.access, body: { request_id: id } })).body.ticket;
    assert.equal((await h.api.call('POST', '/v1/auth/logout', { token: u.access })).status, 204);
    const stream = await openEventStream(`${eventsUrl(id)}?ticket=${ticket}`);
    assert.equal(stream.status, 401);
    assert.equal(stream.problem.code, 'unauthorized');
  });

  it('when a user opens more streams than MAX_STREAMS_PER_USER, then the next is 429 until one closes; streams do not spend the hourly budgets', () =>
    withReplica(async (replicaUrl) => {
      const { u, id } = await submitted();
      const open = [];
      for (let i = 0; i < 3; i++) open.push(await openEventStream(eventsUrl(id, i % 2 ? replicaUrl : h.url), bearer(u.access)));
      assert.ok(open.every((s) => s.status === 200));
      assert.ok(
        open.every((s) => !/"user-reads"/.test(s.headers.get('ratelimit-policy') ?? '')),
        'no hourly budget on a stream',
      );
      const refused = await openEventStream(eventsUrl(id, replicaUrl), bearer(u.access));
      assert.equal(refused.status, 429, 'the limit holds across replicas');
      assert.equal(refused.problem.code, 'rate_limited');
      await open[0]!.close();
      await pollUntil('a slot freed by the closed stream', async () => {
        const s = await openEventStream(eventsUrl(id), bearer(u.access));
        if (s.status === 200) open.push(s);
        return s.status === 200 || undefined;
      });
      await Promise.all(open.slice(1).map((s) => s.close()));
    }));

  it('when a client stops reading, then it is dropped once its buffer passes the bound, and a client reading the same request gets every event', async () => {
    const { u, id, base } = await submitted();
    const reader = await openEventStream(eventsUrl(id), bearer(u.access));
    // A raw socket that sends its request and never reads a byte: only the kernel's buffers take what is sent.
    const stalled = connect({ host: '127.0.0.1', port: Number(new URL(h.url).port) });
    await new Promise((resolve) => stalled.once('connect', resolve));
    stalled.pause();
    stalled.write(`GET /v1/requests/${id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${u.access}\r\nAccept: text/event-stream\r\n\r\n`);
    // Thousands of large events: far more than the sockets' buffers and the 64 KiB bound hold.
    const message = 'upstream answered 503 '.repeat(90);
    for (let attempt = 1; attempt <= 3000; attempt++)
      await emit(base, 'write', 'retrying', { attempt, duration_ms: 1, retry_in_ms: 10, error: { code: 'upstream_503', message } });
    await emit(base, 'write', 'failed', { attempt: 3001, duration_ms: 1, error: { code: 'upstream_503', message: 'gave up' } });
    const events = await reader.ended();
    assert.equal(events.filter((e) => e.event === 'request.write.retrying').length, 3000, 'the reading client missed nothing');
    assert.equal(events.at(-1)!.data.status, 'failed');
    // What the stalled client had been sent: its connection ends (a paused socket notices only once it reads), short of the end.
    let received = '';
    stalled.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    stalled.on('error', () => undefined);
    const closed = new Promise((resolve) => stalled.once('close', resolve));
    stalled.resume();
    await closed;
    assert.match(received, /^HTTP\/1\.1 200/);
    const sentToReader = events.reduce((n, e) => n + JSON.stringify(e.data).length, 0);
    assert.ok(received.length < sentToReader, `dropped before everything was sent (${received.length} of ${sentToReader} bytes)`);
    assert.doesNotMatch(received, /"status":"failed"/, 'the dropped client never got the final status');
  });
});
