import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@pressroom/logger';
import { createDatabase, dropDatabase, databaseUrl, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Db } from '../../src/db/pool.ts';

// The hot queries, as the repositories issue them, must be index range scans on a realistically sized table.
describe('query plans (EXPLAIN on real PostgreSQL)', () => {
  const id = testId('plan');
  let db: Db;
  const logger = createLogger({ service: 'test', level: 'silent' });

  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 2, logger);
    await migrate(db, logger);
    await db.query(`INSERT INTO users (id, email, password_hash) SELECT gen_random_uuid(), 'u' || g || '@example.com', 'x' FROM generate_series(1, 200) g`);
    await db.query(`INSERT INTO content_requests (id, user_id, status, topic, tone, length, channel, created_at)
      SELECT gen_random_uuid(), u.id, (ARRAY['queued','published','failed'])[1 + (g % 3)], 'topic ' || g, 'neutral', 'short', '{"type":"file"}', now() - (g || ' seconds')::interval
        FROM generate_series(1, 100) g CROSS JOIN users u`);
    await db.query(`INSERT INTO request_stages (request_id, stage, position) SELECT id, 'research', 1 FROM content_requests`);
    await db.query('ANALYZE');
  });

  after(async () => {
    await db.end();
    await dropDatabase(id);
  });

  async function plan(sql: string, params: unknown[]): Promise<string> {
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  const userId = async () => (await db.query<{ id: string }>('SELECT id FROM users LIMIT 1')).rows[0]!.id;

  it("when a user lists their newest requests, then the (user_id, created_at, id) index serves it without a sort", async () => {
    const p = await plan(
      `SELECT id FROM content_requests WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid)) ORDER BY created_at DESC, id DESC LIMIT 21`,
      [await userId(), null, null, null],
    );
    assert.match(p, /Index (Only )?Scan using content_requests_user_created_idx/);
    assert.doesNotMatch(p, /Seq Scan|Sort/);
  });

  it('when a user filters by status, then the (user_id, status, created_at) index is used', async () => {
    const p = await plan(
      `SELECT id FROM content_requests WHERE user_id = $1 AND status = $2 ORDER BY created_at DESC, id DESC LIMIT 21`,
      [await userId(), 'failed'],
    );
    assert.match(p, /content_requests_user_status_created_idx/);
    assert.doesNotMatch(p, /Seq Scan/);
  });

  it("when the quota counts today's requests, then it is an index range scan", async () => {
    const p = await plan('SELECT count(*) FROM content_requests WHERE user_id = $1 AND created_at >= $2', [await userId(), new Date(Date.now() - 60_000)]);
    assert.match(p, /content_requests_user_(status_)?created_idx/);
    assert.doesNotMatch(p, /Seq Scan/);
  });

  it('when a request and its stages are read, then both are primary-key lookups', async () => {
    const rid = (await db.query<{ id: string }>('SELECT id FROM content_requests LIMIT 1')).rows[0]!.id;
    assert.match(await plan('SELECT * FROM content_requests WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)', [rid, null]), /content_requests_pkey/);
    assert.match(await plan('SELECT * FROM request_stages WHERE request_id = $1 ORDER BY position', [rid]), /request_stages_pkey/);
  });

  it('when an admin lists all requests, with or without a status, then an index delivers them in order (no scan, no sort)', async () => {
    for (const status of [null, 'failed']) {
      const p = await plan(
        `SELECT id FROM content_requests WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT 21`,
        [status],
      );
      assert.match(p, /Index (Only )?Scan using content_requests_(status_)?created_idx/);
      assert.doesNotMatch(p, /Seq Scan|Sort/);
    }
  });
});
