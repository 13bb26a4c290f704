import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger } from '@pressroom/logger';
import { createDatabase, dropDatabase, databaseUrl, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';

// The API's pools cap statements (10 s in production, 300 ms here); migrations and the wait for the lock must not be.
describe('migrations under the pool statement timeout (real PostgreSQL)', () => {
  const id = testId('migtime');
  const logger = createLogger({ service: 'test', level: 'silent' });
  let db: pg.Pool;
  let dir: string;

  before(async () => {
    await createDatabase(id);
    db = new pg.Pool({ connectionString: databaseUrl(id), max: 1, statement_timeout: 300 });
    dir = await mkdtemp(join(tmpdir(), 'pressroom-migrations-'));
    // Longer than the pool's statement timeout, as an index build on a big table is longer than 10 s.
    await writeFile(join(dir, '001_slow.sql'), 'SELECT pg_sleep(0.6);\nCREATE TABLE slow_done (x int);\n');
  });
  after(async () => {
    await db.end();
    await dropDatabase(id);
    await rm(dir, { recursive: true, force: true });
  });

  it('when a migration runs longer than the statement timeout, and another migrator holds the lock as long, then it waits, applies, and the connection gets its timeout back', async () => {
    const other = new pg.Client({ connectionString: databaseUrl(id) });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(7246518301)');
      const released = new Promise((r) => setTimeout(r, 600)).then(() => other.query('SELECT pg_advisory_unlock(7246518301)'));
      assert.deepEqual(await migrate(db, logger, dir), ['001_slow']);
      await released;
    } finally {
      await other.end();
    }
    assert.equal((await db.query("SELECT to_regclass('slow_done') IS NOT NULL AS made")).rows[0].made, true);
    assert.equal((await db.query('SHOW statement_timeout')).rows[0].statement_timeout, '300ms', 'the pool connection is as it was');
  });
});
