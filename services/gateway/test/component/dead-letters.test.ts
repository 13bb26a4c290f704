import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as amqplib from 'amqplib';
import { permanentError, transientError } from '@pressroom/contracts';
import { createEnvelope, publishDeadLetter, publishEvent } from '@pressroom/messaging';
import type { RunningWorker } from '@pressroom/runtime';
import { BASE_URLS, clearPolicy, pollUntil, setQueuePolicy } from '@pressroom/test-support';
import type { AlertEvent } from '../../src/alerts/alerts.ts';
import { startTestGateway } from '../support/gateway-harness.ts';
import { startResearchWorker } from '../support/research-worker.ts';
import { openEventStream } from '../support/sse-client.ts';

const ADMIN = { email: 'admin@dead.test', password: 'admin password for tests' };

describe('dead letters and breakers in the admin API (real RabbitMQ, Redis, PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let worker: RunningWorker;
  let admin: string;
  let failing = true;
  const raised: AlertEvent[] = [];

  before(async () => {
    h = await startTestGateway({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 'dead', {
      alerts: { raiseAlert: (event) => void raised.push(event) },
    });
    // A research worker on the same prefixes whose "provider" is down for one topic until the test fixes it.
    worker = await startResearchWorker(
      h,
      async (topic, breakers) => {
        if (topic === 'trip the breaker') await breakers.call('search:stub', () => Promise.reject(transientError('upstream_503', 'down')));
        if (topic === 'doomed' && failing) throw permanentError('upstream_404', 'the search API at 10.1.2.3 says the index is gone');
      },
      { BREAKER_VOLUME: '1', BREAKER_ERROR_PERCENT: '1' },
    );
    admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
  });

  after(async () => {
    await worker.shutdown.shutdown();
    await h.close();
  });

  const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => pollUntil(what, probe, { timeoutMs: 10_000, intervalMs: 50 });

  it('when a task is dead-lettered, then it is listed with its reason, the request is failed, and a replay runs it again', async () => {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'doomed' } });
    const letter = await until('the dead letter to be listed', async () => {
      const list = await h.api.call('GET', `/v1/admin/dead-letters?request_id=${created.body.id}`, { token: admin });
      return list.body.items[0];
    });
    assert.equal(letter.stage, 'research');
    assert.equal(letter.reason, 'upstream_404');
    assert.equal(letter.attempts, 1);
    assert.match(letter.detail, /index is gone/);
    assert.equal(letter.replayed_at, null);
    const failed = (await h.api.call('GET', `/v1/requests/${created.body.id}`, { token: user.access })).body;
    assert.equal(failed.status, 'failed');
    // The user reads a stable code and a safe message; the detail (an internal address) is the operator's.
    assert.deepEqual(failed.stages[0].error, { code: 'upstream_404', message: 'the search service answered HTTP 404' });
    assert.ok(!JSON.stringify(failed).includes('10.1.2.3'), 'no internal address in GET /v1/requests/{id}');

    failing = false;
    const replay = await h.api.call('POST', '/v1/admin/dead-letters/research/replay', { token: admin });
    assert.equal(replay.status, 200);
    assert.ok(replay.body.replayed >= 1);
    // No llm worker runs here: the replayed research completing (and handing on) is the proof.
    const reopened = await until('the replayed research to complete', async () => {
      const r = (await h.api.call('GET', `/v1/requests/${created.body.id}`, { token: user.access })).body;
      return r.stages[0].status === 'completed' ? r : undefined;
    });
    assert.equal(reopened.status, 'researching');
    assert.equal(reopened.error, null);
    assert.equal(reopened.stages[0].attempts, 1, 'the replay starts over from attempt 1');
    // The stream tells both runs in order, and goes on past the first run's failure.
    const stream = await openEventStream(`${h.url}/v1/requests/${created.body.id}/events`, { authorization: `Bearer ${user.access}` });
    await stream.event((e) => e.event === 'request.research.completed', "the replay's research completion");
    assert.equal(stream.isEnded, false, 'a reopened request is followed on');
    await stream.close();
    const story = stream.events.map((e) =>
      e.event === 'request.status' ? `status ${e.data.previous_status}>${e.data.status}` : `${e.event} ${e.data.attempt}`,
    );
    assert.deepEqual(story, [
      'request.research.started 1',
      'request.research.failed 1',
      'status queued>failed',
      'status failed>researching',
      'request.research.started 1',
      'request.research.completed 1',
    ]);
    const ids = stream.events.map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'ids only grow',
    );
    const after = await h.api.call('GET', `/v1/admin/dead-letters?request_id=${created.body.id}`, { token: admin });
    assert.deepEqual(after.body.items, [], 'a replayed letter leaves the default list');
    const all = await h.api.call('GET', `/v1/admin/dead-letters?request_id=${created.body.id}&include_replayed=true`, { token: admin });
    assert.ok(all.body.items[0].replayed_at);
  });

  it("when a permanent failure reaches the dead-letter store before its failed event, then the user still reads the worker's message", async () => {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'an unfindable topic' } });
    const id = created.body.id as string;
    // What a worker sends for a permanent failure, without its failed event (which would race the letter).
    const message = 'nothing matched "an unfindable topic": the local search returned no results';
    const task = createEnvelope({
      request_id: id,
      user_id: user.userId,
      stage: 'research',
      payload: { brief: { topic: 'an unfindable topic', tone: 'neutral', length: 'medium' }, channel: { type: 'file' } },
    });
    await publishDeadLetter(h.gateway.deps.broker, 'research', task, { reason: 'no_sources', detail: `no_sources: ${message}`, attempts: 1 });
    const failed = await until('the request to fail', async () => {
      const r = (await h.api.call('GET', `/v1/requests/${id}`, { token: user.access })).body;
      return r.status === 'failed' ? r : undefined;
    });
    assert.deepEqual(failed.stages[0].error, { code: 'no_sources', message });
  });

  it("when an event of the failed run arrives after a replay reopened the request, then it changes nothing: the replay's run goes on", async () => {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'a late event' } });
    const id = created.body.id as string;
    const task = createEnvelope({
      request_id: id,
      user_id: user.userId,
      stage: 'research',
      payload: { brief: { topic: 'a late event', tone: 'neutral', length: 'medium' }, channel: { type: 'file' } },
    });
    const { broker } = h.gateway.deps;
    // The worker's letter reaches the store first (it is sent first); its failed event is held up, in the tracker's
    // backlog or the retry queue, until after the operator's replay.
    await publishDeadLetter(broker, 'research', task, { reason: 'upstream_404', detail: 'upstream_404: gone', attempts: 1 });
    const letter = await until('the dead letter to be listed', async () => {
      const list = await h.api.call('GET', `/v1/admin/dead-letters?request_id=${id}`, { token: admin });
      return list.body.items[0];
    });
    assert.equal((await h.api.call('POST', `/v1/admin/dead-letters/${letter.id}/replay`, { token: admin })).status, 200);
    // The replayed research completes (run 1) and hands on to write, which no worker here takes.
    await until('the replayed research to complete', async () => {
      const r = (await h.api.call('GET', `/v1/requests/${id}`, { token: user.access })).body;
      return r.stages[0].status === 'completed' ? r : undefined;
    });
    const ids = { message_id: task.message_id, request_id: id, user_id: user.userId, attempt: 1 };
    await publishEvent(broker, { ...ids, stage: 'research', type: 'failed', error: { code: 'upstream_404', message: 'the search service answered HTTP 404' } });
    // Sent after the late one on the same channel: once it shows, the late one has been through the tracker.
    await publishEvent(broker, { ...ids, message_id: 'write-1', stage: 'write', type: 'started', run: 1 });
    const now = await until("the current run's write to start", async () => {
      const r = (await h.api.call('GET', `/v1/requests/${id}`, { token: user.access })).body;
      return r.stages[1].status === 'running' ? r : undefined;
    });
    assert.equal(now.status, 'writing');
    assert.equal(now.error, null);
    assert.deepEqual(
      now.stages.map((s: { status: string }) => s.status),
      ['completed', 'running', 'pending'],
    );
    const stream = await openEventStream(`${h.url}/v1/requests/${id}/events`, { authorization: `Bearer ${user.access}` });
    await stream.event((e) => e.event === 'request.write.started', "the current run's write start");
    await stream.close();
    const story = stream.events.map((e) => (e.event === 'request.status' ? `status ${e.data.previous_status}>${e.data.status}` : e.event));
    assert.deepEqual(story.slice(story.indexOf('status failed>researching')), [
      'status failed>researching',
      'request.research.started',
      'request.research.completed',
      // A batch's status change comes after its stage events.
      'request.write.started',
      'status researching>writing',
    ]);
  });

  it('when a request has two dead letters, then replaying one reopens it, and the other is refused (by id) or skipped (by stage), not run beside it', async () => {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'twice dead' } });
    const id = created.body.id as string;
    const payload = { brief: { topic: 'twice dead', tone: 'neutral' as const, length: 'medium' as const }, channel: { type: 'file' as const } };
    // Two deliveries of one run that both ended dead (a duplicate task after a crash), or a late letter of a run a replay superseded.
    for (const detail of ['upstream_404: first', 'upstream_404: second'])
      await publishDeadLetter(h.gateway.deps.broker, 'research', createEnvelope({ request_id: id, user_id: user.userId, stage: 'research', payload }), {
        reason: 'upstream_404',
        detail,
        attempts: 1,
      });
    const letters = await until('both letters to be listed', async () => {
      const list = await h.api.call('GET', `/v1/admin/dead-letters?request_id=${id}`, { token: admin });
      return list.body.items.length === 2 ? list.body.items : undefined;
    });
    const first = await h.api.call('POST', `/v1/admin/dead-letters/${letters[0].id}/replay`, { token: admin });
    assert.deepEqual(first.body, { replayed: 1, skipped: 0 });
    const second = await h.api.call('POST', `/v1/admin/dead-letters/${letters[1].id}/replay`, { token: admin });
    assert.equal(second.status, 409);
    assert.match(second.body.detail, /is (queued|researching|writing), not failed/);
    const all = await h.api.call('POST', '/v1/admin/dead-letters/research/replay', { token: admin });
    assert.equal(all.status, 200);
    const left = await h.api.call('GET', `/v1/admin/dead-letters?request_id=${id}`, { token: admin });
    assert.deepEqual(
      left.body.items.map((l: { id: string }) => l.id),
      [letters[1].id],
      'the other letter is left listed, not sent',
    );
    const tasks = (await h.gateway.deps.db.query('SELECT count(*)::int AS n FROM outbox WHERE request_id = $1', [id])).rows[0].n;
    assert.ok(tasks <= 1, `at most the one replayed task is still waiting in the outbox (${tasks})`);
  });

  it('when a request was reopened before tasks carried their run, then its events (without one) still move it on', async () => {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'an old replay' } });
    const id = created.body.id as string;
    // What migration 013 leaves of a request an older release reopened: one replay, its run's tasks unstamped.
    await h.gateway.deps.db.query("UPDATE content_requests SET replays = 1, legacy_run = true, status = 'writing' WHERE id = $1", [id]);
    const ids = { message_id: 'legacy-write', request_id: id, user_id: user.userId, attempt: 1 };
    await publishEvent(h.gateway.deps.broker, { ...ids, stage: 'write', type: 'completed', duration_ms: 5 });
    await publishEvent(h.gateway.deps.broker, {
      ...ids,
      message_id: 'legacy-publish',
      stage: 'publish',
      type: 'completed',
      duration_ms: 5,
      result: { published_url: 'file:///tmp/old.md' },
    });
    const done = await until('the legacy run to publish', async () => {
      const r = (await h.api.call('GET', `/v1/requests/${id}`, { token: user.access })).body;
      return r.status === 'published' ? r : undefined;
    });
    assert.deepEqual(done.stages.map((st: { status: string }) => st.status).slice(1), ['completed', 'completed'], 'both stages of the legacy run recorded');
  });

  it('when a letter cannot be stored for a while, then it is put back as a new message, so a delivery limit (RabbitMQ 4 has one by default) never drops it', async () => {
    const queue = h.gateway.deps.broker.names.dead('research');
    const policy = `${h.id}-dead-limit`;
    // RabbitMQ 4 gives quorum queues a delivery limit of 20; 2 here, so that requeueing would drop the letter soon.
    await setQueuePolicy(policy, `^${queue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, { 'delivery-limit': 2 });
    const broker = h.gateway.deps.broker;
    const publish = broker.publish;
    let putBack = 0;
    broker.publish = (exchange, key, body, options) => {
      if (exchange === '' && key === queue) putBack++;
      return publish(exchange, key, body, options);
    };
    // Not an outage (which is held, not put back): a table missing, as after a bad manual change.
    await h.gateway.deps.db.query('ALTER TABLE dead_letters RENAME TO dead_letters_away');
    try {
      const user = await h.api.registerAndLogin();
      const id = (await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'kept letter' } })).body.id as string;
      const task = createEnvelope({
        request_id: id,
        user_id: user.userId,
        stage: 'research',
        payload: { brief: { topic: 'kept letter', tone: 'neutral', length: 'medium' }, channel: { type: 'file' } },
      });
      await publishDeadLetter(broker, 'research', task, { reason: 'upstream_404', detail: 'upstream_404: gone', attempts: 1 });
      await pollUntil('the letter to be put back three times', async () => putBack >= 3 || undefined, { timeoutMs: 20_000, intervalMs: 100 });
      await h.gateway.deps.db.query('ALTER TABLE dead_letters_away RENAME TO dead_letters');
      const letter = await until('the letter to be stored', async () => {
        const list = await h.api.call('GET', `/v1/admin/dead-letters?request_id=${id}`, { token: admin });
        return list.body.items[0];
      });
      assert.equal(letter.reason, 'upstream_404');
      assert.equal((await h.api.call('GET', `/v1/admin/dead-letters?request_id=${id}`, { token: admin })).body.items.length, 1, 'stored once');
    } finally {
      broker.publish = publish;
      await h.gateway.deps.db.query('ALTER TABLE IF EXISTS dead_letters_away RENAME TO dead_letters');
      await clearPolicy(policy);
    }
  });

  it('when RabbitMQ dead-letters a task itself (delivery limit), then it is stored with the broker reason and its request fails', async () => {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'poison pill' } });
    await until('the request to be researched', async () => {
      const r = (await h.api.call('GET', `/v1/requests/${created.body.id}`, { token: user.access })).body;
      return r.stages[0].status === 'completed' ? r : undefined;
    });
    const conn = await amqplib.connect(BASE_URLS.rabbitmq);
    const ch = await conn.createConfirmChannel();
    const task = {
      message_id: randomUUID(),
      request_id: created.body.id,
      user_id: user.userId,
      stage: 'write',
      attempt: 1,
      enqueued_at: new Date().toISOString(),
      payload: {},
    };
    ch.publish(`${h.config.AMQP_PREFIX}pressroom.dlx`, 'write', Buffer.from(JSON.stringify(task)), {
      headers: { 'x-death': [{ reason: 'delivery_limit', queue: `${h.config.AMQP_PREFIX}write.tasks`, count: 11 }] },
    });
    await ch.waitForConfirms();
    await conn.close();
    const failed = await until('the request to fail', async () => {
      const r = (await h.api.call('GET', `/v1/requests/${created.body.id}`, { token: user.access })).body;
      return r.status === 'failed' ? r : undefined;
    });
    assert.equal(failed.error.code, 'broker_delivery_limit');
    const list = await h.api.call('GET', '/v1/admin/dead-letters?stage=write', { token: admin });
    assert.ok(list.body.items.some((d: any) => d.request_id === created.body.id && d.reason === 'broker_delivery_limit'));
    const replay = await h.api.call('POST', '/v1/admin/dead-letters/write/replay', { token: admin });
    assert.deepEqual(replay.body, { replayed: 0, skipped: 1 }, 'a letter that is not a valid task is not sent back');
    // No worker counted or alerted this one: the gateway does.
    assert.match((await h.ops.call('GET', '/metrics')).body, /pressroom_dead_letters_total\{[^}]*stage="write"[^}]*reason="broker_delivery_limit"[^}]*\} 1/);
    assert.deepEqual(
      raised.filter((a) => a.kind === 'broker_dead_letter'),
      [{ kind: 'broker_dead_letter', stage: 'write', request_id: created.body.id, reason: 'broker_delivery_limit', attempts: 1 }],
    );
  });

  it('when a worker breaker opens, then /v1/admin/breakers lists it as open with its service and instance', async () => {
    const user = await h.api.registerAndLogin();
    await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'trip the breaker' } });
    const open = await until('the breaker report', async () => {
      const list = await h.api.call('GET', '/v1/admin/breakers', { token: admin });
      return list.body.items.find((b: any) => b.name === 'search:stub' && b.state === 'open');
    });
    assert.equal(open.service, 'research');
    assert.match(open.instance, /:\d+$/);
    assert.ok(Date.parse(open.since) <= Date.now());
  });

  it('when a user calls the dead-letter or breaker routes, then 403; a bad stage is 400', async () => {
    const user = await h.api.registerAndLogin();
    assert.equal((await h.api.call('GET', '/v1/admin/dead-letters', { token: user.access })).status, 403);
    assert.equal((await h.api.call('POST', '/v1/admin/dead-letters/research/replay', { token: user.access })).status, 403);
    assert.equal((await h.api.call('GET', '/v1/admin/breakers', { token: user.access })).status, 403);
    assert.equal((await h.api.call('POST', '/v1/admin/dead-letters/nonsense/replay', { token: admin })).status, 400);
  });
});
