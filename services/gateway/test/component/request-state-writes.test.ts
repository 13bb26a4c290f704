import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@pressroom/logger';
import { createDatabase, dropDatabase, databaseUrl, pollUntil, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Db } from '../../src/db/pool.ts';
import type { StageEventInput } from '../../src/tracker/event-fold.ts';
import { applyStageEvents } from '../../src/tracker/request-state-writer.ts';
import { oldestWaitingTaskAgeS } from '../../src/requests/request-repository.ts';
import { insertRequests } from '../support/db-fixtures.ts';

const article = {
  title: 'Bees',
  summary: 'About bees.',
  body_markdown: `# Bees\n\n${'Bees dance to show where the flowers are [1]. '.repeat(60)}`,
  sources: [{ title: 'Honeybees', url: 'file:///corpus/honeybees.md' }],
};

/** The six events of a request that goes through, `stepMs` apart, from `t0`. */
function pipelineEvents(requestId: string, t0: number, stepMs = 20): Array<{ t: number; e: StageEventInput }> {
  const at = (i: number) => ({ t: t0 + i * stepMs, at: new Date(t0 + i * stepMs).toISOString() });
  const e = (i: number, stage: StageEventInput['stage'], type: StageEventInput['type'], extra: Partial<StageEventInput> = {}) => {
    const { t, at: iso } = at(i);
    return { t, e: { request_id: requestId, stage, type, attempt: 1, at: iso, ...extra } };
  };
  return [
    e(0, 'research', 'started'),
    e(1, 'research', 'completed', { duration_ms: stepMs }),
    e(2, 'write', 'started'),
    e(3, 'write', 'completed', { duration_ms: stepMs, result: { article } }),
    e(4, 'publish', 'started'),
    e(5, 'publish', 'completed', { duration_ms: stepMs, result: { published_url: `file:///tmp/${requestId}.md` } }),
  ];
}

// Request state written once per change: one row write per request per batch, the article once, and HOT updates.
describe('request state writes (real PostgreSQL)', () => {
  const id = testId('writes');
  let db: Db;
  const logger = createLogger({ service: 'test', level: 'silent' });
  const userId = randomUUID();

  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 2, logger);
    await migrate(db, logger);
    await db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, 'writer@example.com', 'x')`, [userId]);
  });

  after(async () => {
    await db.end();
    await dropDatabase(id);
  });

  const newRequests = (n: number) => insertRequests(db, userId, n);

  async function tableStats(): Promise<Record<string, { upd: number; hot: number }>> {
    const { rows } = await db.query<{ relname: string; upd: number; hot: number }>(
      'SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables',
    );
    return Object.fromEntries(rows.map((r) => [r.relname, { upd: r.upd, hot: r.hot }]));
  }

  it('when 300 requests go through in 5 ms batches, then each request row is written once per batch it appears in, and most updates are HOT', async () => {
    const ids = await newRequests(300);
    // 125 requests/s: request i starts at 8 i ms; its events land in the 5 ms batch of their time.
    const timeline = ids.flatMap((rid, i) => pipelineEvents(rid, Date.UTC(2026, 0, 1) + i * 8)).sort((a, b) => a.t - b.t);
    const batches = new Map<number, StageEventInput[]>();
    for (const { t, e } of timeline) (batches.get(Math.floor(t / 5)) ?? batches.set(Math.floor(t / 5), []).get(Math.floor(t / 5))!).push(e);
    const requestWrites = [...batches.values()].reduce((n, batch) => n + new Set(batch.map((e) => e.request_id)).size, 0);
    const stageWrites = [...batches.values()].reduce((n, batch) => n + new Set(batch.map((e) => `${e.request_id}:${e.stage}`)).size, 0);
    const before = await tableStats();

    const changes = [];
    for (const batch of batches.values()) changes.push(...(await applyStageEvents(db, batch)));

    const { rows } = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM content_requests WHERE id = ANY($1) GROUP BY status',
      [ids],
    );
    assert.deepEqual(rows, [{ status: 'published', n: 300 }]);
    assert.equal(changes.filter((c) => c.status === 'published').length, 300, 'each request reported published once');
    // Statistics reach pg_stat_user_tables within a second or so of the writes.
    const after = await pollUntil('the update counts to reach the statistics', async () => {
      const s = await tableStats();
      return s['content_requests']!.upd - before['content_requests']!.upd >= requestWrites ? s : undefined;
    });
    const upd = (t: string) => after[t]!.upd - (before[t]?.upd ?? 0);
    const hot = (t: string) => after[t]!.hot - (before[t]?.hot ?? 0);
    assert.equal(upd('content_requests'), requestWrites, 'one write of a request row per batch it appears in');
    assert.equal(upd('request_stages'), stageWrites, 'one write of a stage row per batch it appears in');
    assert.ok(hot('content_requests') / upd('content_requests') >= 0.7, `content_requests HOT ${hot('content_requests')}/${upd('content_requests')}`);
    assert.ok(hot('request_stages') / upd('request_stages') >= 0.9, `request_stages HOT ${hot('request_stages')}/${upd('request_stages')}`);
    assert.equal(upd('request_results') || 0, 0, 'the article is never rewritten');
  });

  it('when the write stage completes twice and later events follow, then the article is stored once, untouched', async () => {
    const [rid] = await newRequests(1);
    const events = pipelineEvents(rid!, Date.now()).map((x) => x.e);
    await applyStageEvents(db, events.slice(0, 4));
    const first = await db.query<{ xmin: string; title: string }>("SELECT xmin::text, article->>'title' AS title FROM request_results WHERE request_id = $1", [
      rid,
    ]);
    await applyStageEvents(db, [{ ...events[3]!, result: { article: { ...article, title: 'A redelivery' } } }, ...events.slice(4)]);
    const again = await db.query<{ xmin: string; title: string }>("SELECT xmin::text, article->>'title' AS title FROM request_results WHERE request_id = $1", [
      rid,
    ]);
    assert.equal(again.rows.length, 1);
    assert.deepEqual(again.rows[0], first.rows[0], 'same row version, first article');
  });

  it('when two replicas apply overlapping, reordered and duplicated events at once, then the outcome is the one a single ordered writer reaches', async () => {
    const ids = await newRequests(40);
    const events = ids.flatMap((rid, i) => pipelineEvents(rid, Date.now() + i).map((x) => x.e));
    const shuffled = [...events].sort(() => Math.random() - 0.5);
    const half = Math.ceil(shuffled.length / 2);
    await Promise.all([applyStageEvents(db, shuffled.slice(0, half + 20)), applyStageEvents(db, shuffled.slice(half - 20))]);
    const { rows } = await db.query<{ status: string; stages: string[]; results: number }>(
      `SELECT r.status, array_agg(s.status ORDER BY s.position) AS stages, (SELECT count(*)::int FROM request_results x WHERE x.request_id = r.id) AS results
         FROM content_requests r JOIN request_stages s ON s.request_id = r.id WHERE r.id = ANY($1) GROUP BY r.id`,
      [ids],
    );
    assert.equal(rows.length, 40);
    for (const row of rows) assert.deepEqual(row, { status: 'published', stages: ['completed', 'completed', 'completed'], results: 1 });
  });

  it('when two batches race to finish the same request, then its status change is recorded and reported once', async () => {
    const [rid] = await newRequests(1);
    const events = pipelineEvents(rid!, Date.now()).map((x) => x.e);
    await applyStageEvents(db, events.slice(0, 5));
    // A third connection holds the row, so both batches take their snapshot (status `publishing`) before either writes.
    const racers = createPool(databaseUrl(id), 3, logger);
    const holder = await racers.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM content_requests WHERE id = $1 FOR UPDATE', [rid]);
      const published = events[5]!;
      const both = Promise.all([applyStageEvents(racers, [published]), applyStageEvents(racers, [{ ...published, at: new Date().toISOString() }])]);
      await pollUntil('both batches to wait for the row', async () => {
        const { rows } = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH stage_delta%'",
        );
        return rows[0]!.n === 2 || undefined;
      });
      await holder.query('COMMIT');
      const changes = (await both).flat();
      assert.deepEqual(
        changes.map((c) => c.status),
        ['published'],
        'reported once (the finished-requests metric counts each report)',
      );
      const { rows } = await db.query<{ status: string; previous: string }>(
        "SELECT data->>'status' AS status, data->>'previous_status' AS previous FROM request_events WHERE request_id = $1 AND event = 'request.status' ORDER BY seq",
        [rid],
      );
      assert.deepEqual(rows.at(-1), { status: 'published', previous: 'publishing' });
      assert.equal(rows.filter((r) => r.status === 'published').length, 1, 'one status event for the change');
    } finally {
      holder.release();
      await racers.end();
    }
  });

  it('when the load shedder asks, then the oldest waiting task is the oldest queued request or the oldest finished stage whose next stage has not started', async () => {
    await db.query("UPDATE content_requests SET status = 'published'"); // earlier tests' requests are done
    const [queued, running, handedOn] = await newRequests(3);
    const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    await db.query("UPDATE content_requests SET created_at = now() - interval '30 seconds' WHERE id = ANY($1)", [[running, handedOn]]);
    await db.query("UPDATE content_requests SET created_at = now() - interval '10 seconds' WHERE id = $1", [queued]);
    await applyStageEvents(db, [
      { request_id: running!, stage: 'research', type: 'started', attempt: 1, at: ago(29) },
      { request_id: handedOn!, stage: 'research', type: 'completed', attempt: 1, at: ago(5), duration_ms: 20_000 },
    ]);
    const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 2, `${actual} s, expected about ${expected} s`);
    near(await oldestWaitingTaskAgeS(db, 3600), 10);
    await applyStageEvents(db, [{ request_id: queued!, stage: 'research', type: 'started', attempt: 1, at: ago(0) }]);
    near(await oldestWaitingTaskAgeS(db, 3600), 5);
    await applyStageEvents(db, [{ request_id: handedOn!, stage: 'write', type: 'started', attempt: 1, at: ago(0) }]);
    assert.equal(await oldestWaitingTaskAgeS(db, 3600), 0, 'a running stage is not waiting');
    assert.equal(await oldestWaitingTaskAgeS(db, 1), 0, 'requests older than the horizon are left out');
  });
});
