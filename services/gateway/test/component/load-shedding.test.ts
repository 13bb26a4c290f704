import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger, withLogContext } from '@pressroom/logger';
import { publishEvent } from '@pressroom/messaging';
import { createDatabase, databaseUrl, dropDatabase, pollUntil, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Db } from '../../src/db/pool.ts';
import { createLoadShedder } from '../../src/requests/load-shedder.ts';
import { insertRequests } from '../support/db-fixtures.ts';
import { captureLogs, startTestGateway } from '../support/gateway-harness.ts';

// No workers run here: a submitted request's research task waits in its queue until the test says it started.
describe('load shedding on the age of the oldest waiting task (real PostgreSQL, RabbitMQ)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    h = await startTestGateway({ SHED_TASK_AGE_S: '1' }, 'shed');
  });
  after(() => h.close());

  it('when the oldest waiting task is older than SHED_TASK_AGE_S, then submissions get 503 with Retry-After while reads work, and they are accepted again once it starts', async () => {
    const u = await h.api.registerAndLogin();
    const submit = () => h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'a backlog' } });
    const first = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'a backlog' }, headers: { 'idempotency-key': 'shed-1' } });
    assert.equal(first.status, 202);

    const shed = await pollUntil(
      'a submission to be shed',
      async () => {
        const res = await submit();
        return res.status === 503 ? res : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    assert.equal(shed.body.code, 'unavailable');
    assert.equal(shed.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(shed.headers.get('retry-after'), '5');
    assert.equal((await h.api.call('GET', `/v1/requests/${first.body.id}`, { token: u.access })).status, 200, 'reads are not shed');
    // A client retrying the accepted submit is told it was accepted, not asked to come back.
    const retried = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'a backlog' }, headers: { 'idempotency-key': 'shed-1' } });
    assert.equal(retried.status, 202);
    assert.equal(retried.body.id, first.body.id);
    assert.equal(retried.headers.get('idempotent-replayed'), 'true');
    assert.equal((await h.api.call('GET', '/v1/requests', { token: u.access })).status, 200);
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).status, 200);
    assert.match((await h.ops.call('GET', '/metrics')).body, /pressroom_rate_limited_total\{[^}]*limiter="load_shed"[^}]*\} [1-9]/);

    // The backlog drains: every waiting research task starts.
    const waiting = (await h.api.call('GET', '/v1/requests?status=queued&limit=100', { token: u.access })).body.items as Array<{ id: string }>;
    for (const r of waiting)
      await publishEvent(h.gateway.deps.broker, {
        message_id: `${r.id}-research`,
        request_id: r.id,
        user_id: u.userId,
        stage: 'research',
        type: 'started',
        attempt: 1,
      });
    await pollUntil(
      'submissions to be accepted again',
      async () => {
        const res = await submit();
        return res.status === 202 ? res : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
  });
});

describe("the load shedder's lines (real PostgreSQL)", () => {
  const id = testId('shedlog');
  const silent = createLogger({ service: 'test', level: 'silent' });
  let db: Db;
  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 2, silent);
    await migrate(db, silent);
  });
  after(async () => {
    await db.end();
    await dropDatabase(id);
  });

  it("when a submit finds the pipeline behind, then the shedding line is the replica's, not that submitter's", async () => {
    const userId = randomUUID();
    await db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, 'shed@example.com', 'x')`, [userId]);
    const [waiting] = await insertRequests(db, userId, 1);
    await db.query(`UPDATE content_requests SET created_at = now() - interval '1 minute' WHERE id = $1`, [waiting]);
    const logs = captureLogs('info');
    const shedder = createLoadShedder({ db, logger: logs.logger, maxTaskAgeS: 1 });

    // Checked as the submit route checks: inside the call's log context.
    const submit = withLogContext({ http_request_id: 'h1', user_id: 'u1', request_id: 'r1' }, () => shedder.check());
    await assert.rejects(submit, { code: 'unavailable' });
    const line = logs.records().find((r) => r['msg'] === 'pipeline behind: shedding new submissions');
    assert.ok(line);
    assert.deepEqual([line['http_request_id'], line['user_id'], line['request_id']], [undefined, undefined, undefined]);
  });
});
