import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@pressroom/logger';
import { createDatabase, dropDatabase, databaseUrl, startTcpProxy, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Db } from '../../src/db/pool.ts';
import { createSessionChecks } from '../../src/auth/session-checks.ts';
import { countingDb } from '../support/db-fixtures.ts';

describe('session checks (real PostgreSQL)', () => {
  const id = testId('sess');
  let db: Db;
  const logger = createLogger({ service: 'test', level: 'silent' });
  // Every statement sent, counted on the way to the real pool; `hold` keeps a statement's answer back.
  let hold: Promise<void> | undefined;
  let counted: ReturnType<typeof countingDb>;

  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 2, logger);
    await migrate(db, logger);
    counted = countingDb(db, () => hold);
  });

  after(async () => {
    await db.end();
    await dropDatabase(id);
  });

  async function newSession(opts: { role?: string; disabled?: boolean; revoked?: boolean; expiresInS?: number } = {}) {
    const userId = randomUUID();
    const familyId = randomUUID();
    await db.query(`INSERT INTO users (id, email, password_hash, role, disabled) VALUES ($1, $2, 'x', $3, $4)`, [
      userId,
      `${userId}@example.com`,
      opts.role ?? 'user',
      opts.disabled ?? false,
    ]);
    await db.query(
      `INSERT INTO session_families (id, user_id, expires_at, revoked_at) VALUES ($1, $2, now() + make_interval(secs => $3), CASE WHEN $4 THEN now() END)`,
      [familyId, userId, opts.expiresInS ?? 3600, opts.revoked ?? false],
    );
    return { userId, familyId };
  }

  it('when many calls are checked at once, then one statement answers each with its own session', async () => {
    const live = await newSession();
    const admin = await newSession({ role: 'admin' });
    const disabled = await newSession({ disabled: true });
    const revoked = await newSession({ revoked: true });
    const other = await newSession();
    const checks = createSessionChecks(counted.db);
    counted.reset();
    const asked = [
      ...Array.from({ length: 20 }, () => [live.familyId, live.userId]),
      [admin.familyId, admin.userId],
      [disabled.familyId, disabled.userId],
      [revoked.familyId, revoked.userId],
      [live.familyId, other.userId], // a session is its owner's only
      [randomUUID(), live.userId],
      ['not-a-uuid', live.userId],
    ] as const;
    const states = await Promise.all(asked.map(([f, u]) => checks.check(f, u)));
    assert.equal(counted.statements(), 1, 'one statement for every check asked together');
    for (const s of states.slice(0, 20))
      assert.deepEqual({ role: s?.role, disabled: s?.disabled, revoked: s?.revoked_at }, { role: 'user', disabled: false, revoked: null });
    assert.equal(states[20]?.role, 'admin');
    assert.equal(states[21]?.disabled, true);
    assert.notEqual(states[22]?.revoked_at, null);
    assert.deepEqual(states.slice(23), [undefined, undefined, undefined]);
  });

  it('when a session is revoked while a check is in flight, then a call that arrives after the revocation is not answered by that check', async () => {
    const s = await newSession();
    const checks = createSessionChecks(counted.db);
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    counted.reset();
    const early = checks.check(s.familyId, s.userId);
    while (counted.statements() === 0) await new Promise((r) => setImmediate(r));
    await db.query('UPDATE session_families SET revoked_at = now() WHERE id = $1', [s.familyId]);
    const late = checks.check(s.familyId, s.userId);
    hold = undefined;
    release();
    assert.equal((await early)?.revoked_at, null, 'the check asked before the revocation saw the session alive');
    assert.notEqual((await late)?.revoked_at, null, 'the call after it is refused');
    assert.equal(counted.statements(), 2);
  });

  it('when PostgreSQL refuses the statement, then every call waiting on it gets the error, and the next check is asked afresh', async () => {
    const s = await newSession();
    let refuse = true;
    const flaky = Object.create(db, {
      query: {
        value: (...args: unknown[]) =>
          refuse ? ((refuse = false), Promise.reject(new Error('connection lost'))) : (db.query as (...a: unknown[]) => Promise<unknown>)(...args),
      },
    }) as Db;
    const checks = createSessionChecks(flaky);
    const results = await Promise.allSettled([checks.check(s.familyId, s.userId), checks.check(s.familyId, s.userId)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal((await checks.check(s.familyId, s.userId))?.role, 'user');
  });

  it('when its connection hangs without a reset, then the calls waiting on it fail within the query timeout, and the next check gets a new connection', async () => {
    const s = await newSession();
    const target = new URL(databaseUrl(id));
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const pool = createPool(proxy.url(databaseUrl(id)), 1, logger, { queryTimeoutMs: 300 });
    try {
      const checks = createSessionChecks(pool);
      assert.equal((await checks.check(s.familyId, s.userId))?.role, 'user');
      proxy.stall();
      const started = Date.now();
      const hung = await Promise.allSettled([checks.check(s.familyId, s.userId), checks.check(s.familyId, s.userId)]);
      assert.deepEqual(
        hung.map((r) => r.status),
        ['rejected', 'rejected'],
      );
      assert.ok(Date.now() - started < 3000, `failed after ${Date.now() - started} ms`);
      assert.equal((await checks.check(s.familyId, s.userId))?.role, 'user', 'a new connection answers');
    } finally {
      await proxy.close();
      await pool.end();
    }
  });
});
