import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, databaseUrl, dropDatabase, testEnv, testId } from '@pressroom/test-support';

const root = join(import.meta.dirname, '..', '..');

async function runMigrateJob(env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, [join(root, 'services', 'gateway', 'src', 'migrate-main.ts')], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: '/nonexistent', ...env },
    stdio: 'ignore',
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('migration job', () => {
  const id = testId('migr');
  before(() => createDatabase(id).then(() => undefined));
  after(() => dropDatabase(id));

  it('when three migration jobs race on an empty database, then all exit 0 and every migration is applied once', async () => {
    const env = testEnv(id);
    assert.deepEqual(await Promise.all([runMigrateJob(env), runMigrateJob(env), runMigrateJob(env)]), [0, 0, 0]);
    const client = new pg.Client({ connectionString: databaseUrl(id) });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.ok(rows.length >= 1);
      assert.equal(new Set(rows.map((r) => r.version)).size, rows.length);
      const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
      for (const t of ['users', 'user_sessions', 'content_requests', 'request_stages', 'outbox', 'dead_letters'])
        assert.ok(
          tables.rows.some((r) => r.tablename === t),
          t,
        );
    } finally {
      await client.end();
    }
  });

  it('when the database cannot be reached within STARTUP_WAIT_S, then the job exits non-zero', async () => {
    assert.notEqual(await runMigrateJob(testEnv(id, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', STARTUP_WAIT_S: '2' })), 0);
  });
});
