import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import { AdminRequestView, AdminUserPage, AdminUserView, QueueList, createValidator, permanentError } from '@pressroom/contracts';
import type { RunningWorker } from '@pressroom/runtime';
import { pollUntil } from '@pressroom/test-support';
import { startTestGateway } from '../support/gateway-harness.ts';
import { startResearchWorker } from '../support/research-worker.ts';

const ADMIN = { email: 'admin@console-api.test', password: 'admin password for tests' };
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const validator = createValidator();
/** The contract the views are typed by (and /openapi.json is built from) holds for the real answer. */
function assertView(schema: TSchema, body: unknown): void {
  const r = validator.check(schema, body);
  assert.ok(r.ok, JSON.stringify(r.ok ? [] : r.errors));
}

/**
 * What the operator console reads and does beyond the first admin API: one request of any user with its event
 * log and dead letters, replaying one dead letter, the queues' backlog, the time window on the request list and
 * today's usage per user. A research worker fails topics named "doomed" permanently until told otherwise; no
 * write worker runs, so researched requests wait in the write queue.
 */
describe('admin API for the operator console (real RabbitMQ, Redis, PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let worker: RunningWorker;
  let admin: string;
  let failing = true;

  before(async () => {
    h = await startTestGateway(
      { BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, JAEGER_UI_URL: 'http://jaeger.example:16686/' },
      'console',
    );
    worker = await startResearchWorker(h, (topic) => {
      if (topic.startsWith('doomed') && failing) throw permanentError('upstream_404', 'the search API at 10.1.2.3 says the index is gone');
    });
    admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
  });

  after(async () => {
    await worker.shutdown.shutdown();
    await h.close();
  });

  const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => pollUntil(what, probe, { timeoutMs: 15_000, intervalMs: 50 });
  const adminGet = (path: string) => h.api.call('GET', path, { token: admin });

  async function deadLettered(topic: string) {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic } });
    assert.equal(created.status, 202);
    const letter = await until('the dead letter', async () => (await adminGet(`/v1/admin/dead-letters?request_id=${created.body.id}`)).body.items[0]);
    await until('the request to be failed', async () =>
      (await adminGet(`/v1/admin/requests/${created.body.id}`)).body.status === 'failed' ? true : undefined,
    );
    return { user, id: created.body.id as string, letter };
  }

  it("when an admin opens another user's failed request, then it shows the owner, every event, the dead letter's detail and the trace link", async () => {
    const { user, id, letter } = await deadLettered('doomed to be inspected');
    await h.gateway.deps.db.query('UPDATE content_requests SET trace_id = $2 WHERE id = $1', [id, TRACE]);
    const res = await adminGet(`/v1/admin/requests/${id}`);
    assert.equal(res.status, 200);
    assertView(AdminRequestView, res.body);
    assert.equal(res.body.user_id, user.userId);
    assert.equal(res.body.user_email, user.email);
    assert.equal(res.body.status, 'failed');
    assert.equal(res.body.trace_url, `http://jaeger.example:16686/trace/${TRACE}`, 'one slash between the setting and /trace/');
    const names = res.body.events.map((e: { event: string }) => e.event);
    assert.ok(names.includes('request.research.failed'), names.join(','));
    assert.ok(names.includes('request.status'), names.join(','));
    assert.deepEqual(
      res.body.events.map((e: { seq: number }) => e.seq),
      [...res.body.events.map((e: { seq: number }) => e.seq)].sort((a, b) => a - b),
      'in order',
    );
    assert.equal(res.body.dead_letters.length, 1);
    assert.equal(res.body.dead_letters[0].id, letter.id);
    assert.match(res.body.dead_letters[0].detail, /index is gone/, 'the operator sees the detail the owner does not');
    assert.equal('message' in res.body.dead_letters[0], false, 'the raw task is not shown');
    // The owner's own view is unchanged: no operator-only fields.
    const own = await h.api.call('GET', `/v1/requests/${id}`, { token: user.access });
    assert.equal(own.body.dead_letters, undefined);
    assert.equal(own.body.user_email, undefined);
  });

  it('when an admin asks for a request that does not exist or a malformed id, then 404 and 400 as problem+json', async () => {
    const missing = await adminGet('/v1/admin/requests/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'not_found');
    assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal((await adminGet('/v1/admin/requests/not-a-uuid')).status, 400);
    assert.equal((await adminGet('/v1/admin/requests/00000000-0000-4000-8000-000000000000?x=1')).status, 400);
  });

  it('when an admin replays one dead letter by id, then only that request runs again; a second replay is 409, an unknown id 404', async () => {
    const first = await deadLettered('doomed first');
    const second = await deadLettered('doomed second');
    failing = false;
    try {
      const replay = await h.api.call('POST', `/v1/admin/dead-letters/${first.letter.id}/replay`, { token: admin, body: {} });
      assert.equal(replay.status, 200);
      assert.deepEqual(replay.body, { replayed: 1, skipped: 0 });
      await until('the replayed research to complete', async () => {
        const r = (await adminGet(`/v1/admin/requests/${first.id}`)).body;
        return r.stages[0].status === 'completed' ? r : undefined;
      });
      const untouched = (await adminGet(`/v1/admin/requests/${second.id}`)).body;
      assert.equal(untouched.status, 'failed', 'the other dead letter stays where it was');
      assert.equal(untouched.dead_letters[0].replayed_at, null);

      const again = await h.api.call('POST', `/v1/admin/dead-letters/${first.letter.id}/replay`, { token: admin, body: {} });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'conflict');
      const unknown = await h.api.call('POST', '/v1/admin/dead-letters/00000000-0000-4000-8000-000000000000/replay', { token: admin, body: {} });
      assert.equal(unknown.status, 404);
      assert.equal((await h.api.call('POST', '/v1/admin/dead-letters/nonsense/replay', { token: admin, body: {} })).status, 400);

      const audit = await adminGet('/v1/admin/audit?event=admin.dead_letters_replayed');
      assert.ok(
        audit.body.items.some(
          (e: { target: string; details: { stage: string; replayed: number } }) =>
            e.target === first.letter.id && e.details.stage === 'research' && e.details.replayed === 1,
        ),
      );
    } finally {
      failing = true;
    }
  });

  it('when a researched request waits for a write worker, then /v1/admin/queues shows it waiting in write with its age and the broker holding it', async () => {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'waits for a writer' } });
    const queues = await until('the write backlog', async () => {
      const res = await adminGet('/v1/admin/queues');
      const write = res.body.items.find((q: { stage: string }) => q.stage === 'write');
      return write && write.waiting >= 1 && write.ready >= 1 ? res : undefined;
    });
    assert.equal(queues.status, 200);
    assertView(QueueList, queues.body);
    assert.deepEqual(
      queues.body.items.map((q: { stage: string }) => q.stage),
      ['research', 'write', 'publish'],
    );
    const write = queues.body.items.find((q: { stage: string }) => q.stage === 'write');
    assert.ok(write.oldest_waiting_s >= 0 && write.oldest_waiting_s < 60, JSON.stringify(write));
    assert.equal(typeof write.delayed, 'number');
    const research = queues.body.items.find((q: { stage: string }) => q.stage === 'research');
    assert.ok(research.dead_letters >= 1, 'the waiting research dead letters are counted');
    assert.ok(created.body.id);
    assert.equal((await adminGet('/v1/admin/queues?stage=write')).status, 400);
  });

  it('when the admin list is bounded in time, then only requests created in the window come back, pages included, and an empty window is 400', async () => {
    const user = await h.api.registerAndLogin();
    const rows: Array<{ id: string; created_at: string }> = [];
    for (const n of [1, 2, 3]) rows.push((await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: `windowed ${n}` } })).body);
    const from = rows[0]!.created_at;
    const to = rows[2]!.created_at;
    assert.ok(from < rows[1]!.created_at && rows[1]!.created_at < to, 'three distinct creation times');
    // [first, third): the first two of this user's three.
    const page1 = await adminGet(`/v1/admin/requests?user_id=${user.userId}&created_after=${from}&created_before=${to}&limit=1`);
    assert.equal(page1.status, 200);
    assert.deepEqual(
      page1.body.items.map((r: { id: string }) => r.id),
      [rows[1]!.id],
    );
    const page2 = await adminGet(
      `/v1/admin/requests?user_id=${user.userId}&created_after=${from}&created_before=${to}&limit=1&cursor=${page1.body.next_cursor}`,
    );
    assert.deepEqual(
      page2.body.items.map((r: { id: string }) => r.id),
      [rows[0]!.id],
    );
    assert.equal(page2.body.next_cursor, null);
    const future = await adminGet(`/v1/admin/requests?created_after=${new Date(Date.now() + 3_600_000).toISOString()}`);
    assert.deepEqual(future.body.items, []);
    const inverted = await adminGet(`/v1/admin/requests?created_after=${to}&created_before=${from}`);
    assert.equal(inverted.status, 400);
    assert.equal(inverted.body.errors[0].field, 'created_after');
    assert.equal((await adminGet('/v1/admin/requests?created_after=yesterday')).status, 400);
  });

  it("when the admin list is filtered by an owner's e-mail, then only their requests come back, whatever the case; an unknown e-mail or one that is not the user_id's is an empty page", async () => {
    const email = `Mixed.Case-${Math.random().toString(36).slice(2)}@Example.com`;
    const owner = await h.api.registerAndLogin(email);
    const other = await h.api.registerAndLogin();
    const mine = (await h.api.call('POST', '/v1/requests', { token: owner.access, body: { topic: 'by e-mail' } })).body.id;
    await h.api.call('POST', '/v1/requests', { token: other.access, body: { topic: 'not theirs' } });
    const ids = async (q: string) => {
      const res = await adminGet(`/v1/admin/requests?${q}`);
      assert.equal(res.status, 200, q);
      return res.body.items.map((r: { id: string; user_id: string }) => [r.id, r.user_id]);
    };
    assert.deepEqual(await ids(`user_email=${encodeURIComponent(email.toLowerCase())}`), [[mine, owner.userId]]);
    assert.deepEqual(await ids(`user_email=${encodeURIComponent(email)}&user_id=${owner.userId}`), [[mine, owner.userId]]);
    assert.deepEqual(await ids(`user_email=${encodeURIComponent(email)}&user_id=${other.userId}`), []);
    assert.deepEqual(await ids('user_email=nobody%40example.com'), []);
    assert.equal((await adminGet('/v1/admin/requests?user_email=not-an-email')).status, 400);
  });

  it("when a user submits, then the admin user list and a patch show today's usage beside the quota", async () => {
    const user = await h.api.registerAndLogin();
    for (const n of [1, 2]) await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: `usage ${n}` } });
    const list = await adminGet('/v1/admin/users?role=user&limit=100');
    assertView(AdminUserPage, list.body);
    const row = list.body.items.find((u: { id: string }) => u.id === user.userId);
    assert.equal(row.used_today, 2);
    assert.equal(row.daily_quota, null);
    const patched = await h.api.call('PATCH', `/v1/admin/users/${user.userId}`, { token: admin, body: { daily_quota: 5 } });
    assertView(AdminUserView, patched.body);
    assert.equal(patched.body.daily_quota, 5);
    assert.equal(patched.body.used_today, 2);
  });

  it('when a non-admin calls the console routes, then 403, and without a token 401', async () => {
    const user = await h.api.registerAndLogin();
    for (const [method, path] of [
      ['GET', '/v1/admin/requests/00000000-0000-4000-8000-000000000000'],
      ['GET', '/v1/admin/queues'],
      ['POST', '/v1/admin/dead-letters/00000000-0000-4000-8000-000000000000/replay'],
    ] as const) {
      assert.equal((await h.api.call(method, path, { token: user.access, body: method === 'POST' ? {} : undefined })).status, 403, path);
      assert.equal((await h.api.call(method, path, { body: method === 'POST' ? {} : undefined })).status, 401, path);
    }
  });
});
