import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@pressroom/logger';
import { createDatabase, dropDatabase, databaseUrl, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Db } from '../../src/db/pool.ts';
import { quotaWindow } from '../../src/requests/quota.ts';
import { createSubmissionBatches } from '../../src/requests/submission-batches.ts';
import type { Submission, SubmissionResult } from '../../src/requests/submission-repository.ts';
import { countingDb, testSubmission } from '../support/db-fixtures.ts';

// Concurrent submissions share statements and commits, across users; the quota stays exact (real PostgreSQL).
describe('submission batches: group commit', () => {
  const id = testId('subbatch');
  let db: Db;
  const logger = createLogger({ service: 'test', level: 'silent' });

  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 10, logger);
    await migrate(db, logger);
  });
  after(async () => {
    await db.end();
    await dropDatabase(id);
  });

  async function newUser(dailyQuota?: number): Promise<string> {
    const uid = randomUUID();
    await db.query('INSERT INTO users (id, email, password_hash, daily_quota) VALUES ($1, $2, $3, $4)', [uid, `${uid}@example.com`, 'x', dailyQuota ?? null]);
    return uid;
  }

  const submission = (uid: string, request: Partial<Submission['request']> = {}, spendBudgetUsd?: number) => testSubmission(uid, { request, spendBudgetUsd });

  type Created = Extract<SubmissionResult, { kind: 'created' }>;
  const created = (rs: PromiseSettledResult<SubmissionResult>[]): Created[] =>
    rs.flatMap((r) => (r.status === 'fulfilled' && r.value.kind === 'created' ? [r.value] : []));
  const used = async (uid: string) =>
    (await db.query<{ used: number }>('SELECT used FROM daily_usage WHERE user_id = $1 AND day = $2', [uid, quotaWindow().day])).rows[0]?.used ?? 0;

  it('when one user submits 30 at once, then all are written with their stages and tasks in far fewer statements, and the counts are 1..30', async () => {
    const uid = await newUser();
    const counted = countingDb(db);
    const batches = createSubmissionBatches(counted.db);
    const subs = Array.from({ length: 30 }, () => submission(uid));
    const results = await Promise.allSettled(subs.map((s) => batches.insert(s)));
    const ok = created(results);
    assert.equal(ok.length, 30);
    assert.deepEqual(ok.map((r) => r.request.id).sort(), subs.map((s) => s.request.id).sort(), 'each waiter gets its own request');
    for (const [i, r] of ok.entries()) assert.equal(r.request.id, subs[i]!.request.id, 'in the order they were submitted');
    assert.deepEqual(
      ok.map((r) => r.quota.used).sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.ok(counted.statements() <= 3, `${counted.statements()} statements for 30 submissions`);
    assert.equal(await used(uid), 30);
    const { rows } = await db.query<{ stages: number; tasks: number }>(
      `SELECT (SELECT count(*)::int FROM request_stages s JOIN content_requests r ON r.id = s.request_id WHERE r.user_id = $1) AS stages,
              (SELECT count(*)::int FROM outbox o JOIN content_requests r ON r.id = o.request_id WHERE r.user_id = $1) AS tasks`,
      [uid],
    );
    assert.deepEqual(rows[0], { stages: 90, tasks: 30 });
    const task = await db.query<{ message: { request_id: string }; headers: { traceparent: string } }>(
      'SELECT message, headers FROM outbox WHERE request_id = $1',
      [subs[7]!.request.id],
    );
    assert.deepEqual(task.rows[0], { message: { request_id: subs[7]!.request.id }, headers: { traceparent: subs[7]!.request.id } }, 'each task is its own');
  });

  it('when 12 arrive with 5 slots left, then exactly 5 are written and 7 are refused by the quota, never one over', async () => {
    const uid = await newUser(8);
    const batches = createSubmissionBatches(db);
    await Promise.all(Array.from({ length: 3 }, () => batches.insert(submission(uid))));
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => batches.insert(submission(uid))));
    assert.equal(created(results).length, 5);
    assert.equal(results.filter((r) => r.status === 'fulfilled' && r.value.kind === 'quota_exceeded').length, 7);
    assert.equal(await used(uid), 8);
    assert.equal((await db.query('SELECT 1 FROM content_requests WHERE user_id = $1', [uid])).rowCount, 8);
  });

  it('when a batch fails (two submissions with one request id), then each is submitted alone: the others are written, the duplicate gets its own error', async () => {
    const uid = await newUser();
    const batches = createSubmissionBatches(db);
    const first = batches.insert(submission(uid));
    const dup = randomUUID();
    const rest = [submission(uid), submission(uid, { id: dup }), submission(uid, { id: dup }), submission(uid)].map((s) => batches.insert(s));
    const results = await Promise.allSettled([first, ...rest]);
    assert.equal(created(results).length, 4);
    const failed = results.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 1);
    assert.equal((failed[0] as PromiseRejectedResult).reason.code, '23505');
    assert.equal(await used(uid), 4, 'the failed batch spent nothing; the failed single spent nothing');
  });

  it('when the spend budget is used up, then a batch writes nothing and each submission is refused by the budget', async () => {
    const uid = await newUser();
    await db.query('INSERT INTO daily_usage (user_id, day, used, spent_usd) VALUES ($1, $2, 1, 5)', [uid, quotaWindow().day]);
    const batches = createSubmissionBatches(db);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => batches.insert(submission(uid, {}, 5))));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value.kind : 'rejected')),
      Array(6).fill('spend_budget_exceeded'),
    );
    assert.equal(await used(uid), 1);
  });

  it('when submissions arrive one at a time, then each goes at once in a statement of its own', async () => {
    const [a, b] = [await newUser(), await newUser()];
    const counted = countingDb(db);
    const batches = createSubmissionBatches(counted.db);
    for (const u of [a, b, a]) assert.equal((await batches.insert(submission(u))).kind, 'created');
    assert.equal(counted.statements(), 3);
    assert.deepEqual([await used(a), await used(b)], [2, 1]);
  });

  it("when ten users submit four each at once, then they share statements across users and each user's counts are 1..4 in submission order", async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser()));
    const counted = countingDb(db);
    const batches = createSubmissionBatches(counted.db);
    const subs = [1, 2, 3, 4].flatMap(() => users.map((u) => submission(u)));
    const ok = created(await Promise.allSettled(subs.map((s) => batches.insert(s))));
    assert.equal(ok.length, 40);
    for (const [i, r] of ok.entries()) assert.equal(r.request.id, subs[i]!.request.id, 'each waiter gets its own request');
    for (const u of users) {
      const mine = ok.filter((r) => r.request.user_id === u);
      assert.deepEqual(
        mine.map((r) => r.quota.used),
        [1, 2, 3, 4],
        'counted in the order submitted',
      );
      assert.equal(await used(u), 4);
    }
    assert.ok(counted.statements() <= 4, `${counted.statements()} statements for 40 submissions of 10 users`);
  });

  it("when one user's share of a batch does not fit their quota, then the others' shares are written in the batch and that user gets exactly their slots", async () => {
    const [tight, roomy] = [await newUser(3), await newUser()];
    const counted = countingDb(db);
    const batches = createSubmissionBatches(counted.db);
    const subs = [1, 2, 3, 4, 5, 6].flatMap(() => [submission(tight), submission(roomy)]);
    const results = await Promise.allSettled(subs.map((s) => batches.insert(s)));
    const kinds = (u: string) => results.filter((_, i) => subs[i]!.request.user_id === u).map((r) => (r.status === 'fulfilled' ? r.value.kind : 'rejected'));
    assert.deepEqual(kinds(roomy), Array(6).fill('created'));
    assert.deepEqual(
      created(results)
        .filter((r) => r.request.user_id === roomy)
        .map((r) => r.quota.used),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(kinds(tight).sort(), ['created', 'created', 'created', 'quota_exceeded', 'quota_exceeded', 'quota_exceeded']);
    assert.deepEqual([await used(tight), await used(roomy)], [3, 6]);
    // Two alone, one batch, then the tight user's five again one by one: fewer than one each.
    assert.ok(counted.statements() < subs.length, `${counted.statements()} statements`);
  });

  it('when two gateways batch the same users in opposite orders at once, then no statement fails and every count is exact', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser()));
    const other = createPool(databaseUrl(id), 10, logger);
    try {
      const failures: unknown[] = [];
      const watched = (pool: Db): Db =>
        Object.create(pool, {
          query: {
            value: (...args: unknown[]) =>
              (pool.query as (...a: unknown[]) => Promise<unknown>)(...args).catch((err: unknown) => (failures.push(err), Promise.reject(err))),
          },
        }) as Db;
      const [one, two] = [createSubmissionBatches(watched(db)), createSubmissionBatches(watched(other))];
      const waves = Array.from({ length: 5 }, () => [
        ...users.map((u) => one.insert(submission(u))),
        ...[...users].reverse().map((u) => two.insert(submission(u))),
      ]);
      const results = await Promise.allSettled(waves.flat());
      assert.deepEqual(failures, []);
      assert.equal(created(results).length, 80);
      for (const u of users) assert.equal(await used(u), 10);
    } finally {
      await other.end();
    }
  });
});
