import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@pressroom/logger';
import { createDatabase, dropDatabase, databaseUrl, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Db } from '../../src/db/pool.ts';
import { quotaWindow, usedOn } from '../../src/requests/quota.ts';
import { findRequest } from '../../src/requests/request-repository.ts';

const MIGRATIONS = join(import.meta.dirname, '..', '..', 'migrations');

// A database that ran the first release's migrations keeps its data through the quota counter (004) and the
// narrow request row (005).
describe('upgrading a database with requests in it (real PostgreSQL)', () => {
  const id = testId('upgrade');
  const logger = createLogger({ service: 'test', level: 'silent' });
  let db: Db;
  let firstRelease: string;
  const userId = randomUUID();
  const ids = { published: randomUUID(), failed: randomUUID(), queued: randomUUID(), yesterday: randomUUID() };

  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 2, logger);
    firstRelease = await mkdtemp(join(tmpdir(), 'pressroom-migrations-'));
    for (const f of (await readdir(MIGRATIONS)).filter((f) => f < '004')) await cp(join(MIGRATIONS, f), join(firstRelease, f));
    await migrate(db, logger, firstRelease);
    await db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, 'old@example.com', 'x')`, [userId]);
    const insert = (rid: string, status: string, createdAt: string, article: unknown = null) =>
      db.query(
        `INSERT INTO content_requests (id, user_id, status, topic, tone, length, channel, article, created_at) VALUES ($1, $2, $3, 'a topic', 'neutral', 'short', '{"type":"file"}', $4, $5)`,
        [rid, userId, status, article === null ? null : JSON.stringify(article), createdAt],
      );
    await insert(ids.published, 'published', new Date().toISOString(), { title: 'Kept', summary: 's', body_markdown: 'b', sources: [] });
    await insert(ids.failed, 'failed', new Date().toISOString());
    await insert(ids.queued, 'queued', new Date().toISOString());
    await insert(ids.yesterday, 'published', new Date(quotaWindow().start.getTime() - 60_000).toISOString());
    await migrate(db, logger);
  });

  after(async () => {
    await db.end();
    await dropDatabase(id);
    await rm(firstRelease, { recursive: true, force: true });
  });

  it("when 004 runs, then today's requests are counted, so the quota stays exact through the deploy", async () => {
    assert.equal(await usedOn(db, userId, quotaWindow().day), 3);
  });

  it('when 005 runs, then articles move to request_results and each request has its outcome', async () => {
    assert.equal((await findRequest(db, ids.published, userId))?.article?.title, 'Kept');
    assert.equal((await findRequest(db, ids.queued, userId))?.article, null);
    const { rows } = await db.query<{ id: string; outcome: string }>('SELECT id, outcome FROM content_requests WHERE user_id = $1', [userId]);
    const outcome = Object.fromEntries(rows.map((r) => [r.id, r.outcome]));
    assert.deepEqual(outcome, { [ids.published]: 'published', [ids.failed]: 'failed', [ids.queued]: 'in_flight', [ids.yesterday]: 'published' });
  });
});
