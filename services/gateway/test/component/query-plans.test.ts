import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@pressroom/logger';
import { createDatabase, dropDatabase, databaseUrl, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Db } from '../../src/db/pool.ts';
import { USER_WITH_MONTH_USAGE_SQL, quotaWindow } from '../../src/requests/quota.ts';
import { LIST_REQUESTS_SQL, OLDEST_WAITING_TASK_SQL, REQUEST_DETAIL_SQL } from '../../src/requests/request-repository.ts';
import { SUBMIT_BATCH_SQL, SUBMIT_SQL, submitBatchParams, submitParams } from '../../src/requests/submission-repository.ts';
import { SPEND_BY_USER_SQL } from '../../src/admin/spend-repository.ts';
import { foldEvents, type StageEventInput } from '../../src/tracker/event-fold.ts';
import { APPLY_EVENTS_SQL } from '../../src/tracker/request-state-writer.ts';
import { SESSION_STATES_SQL } from '../../src/auth/session-repository.ts';
import { CLAIM_DUE_SQL, DELIVERY_LAG_SQL } from '../../src/webhooks/delivery-store.ts';
import { testSubmission } from '../support/db-fixtures.ts';

// The hot queries, as the repositories issue them, must be index range scans on a realistically sized table.
describe('query plans (EXPLAIN on real PostgreSQL)', () => {
  const id = testId('plan');
  let db: Db;
  const logger = createLogger({ service: 'test', level: 'silent' });

  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 2, logger);
    await migrate(db, logger);
    // A month of history: 1,000 users with 40 requests each, one every 18 hours, the newest still in flight
    // (created in the last minute); the rest published, every tenth failed.
    await db.query(`INSERT INTO users (id, email, password_hash) SELECT gen_random_uuid(), 'u' || g || '@example.com', 'x' FROM generate_series(1, 1000) g`);
    await db.query(`INSERT INTO content_requests (id, user_id, status, topic, tone, length, channel, created_at)
      SELECT gen_random_uuid(), u.id,
             CASE WHEN g = 1 THEN (ARRAY['queued','researching','writing','publishing'])[1 + (abs(hashtext(u.id::text)) % 4)] WHEN g % 10 = 0 THEN 'failed' ELSE 'published' END,
             'topic ' || g, 'neutral', 'short', '{"type":"file"}', now() - make_interval(hours => (g - 1) * 18, secs => random() * 60)
        FROM generate_series(1, 40) g CROSS JOIN users u`);
    await db.query(`INSERT INTO request_stages (request_id, stage, position) SELECT r.id, s.stage, s.position FROM content_requests r
      CROSS JOIN (VALUES ('research', 1), ('write', 2), ('publish', 3)) AS s (stage, position)`);
    await db.query(`INSERT INTO daily_usage (user_id, day, used) SELECT id, $1::date, 5 FROM users`, [quotaWindow().day]);
    await db.query(`INSERT INTO idempotency_keys (user_id, key, body_hash, request_id) SELECT user_id, 'k-' || id, 'h', id FROM content_requests`);
    await db.query(`INSERT INTO request_results (request_id, article) SELECT id, '{"title": "t"}' FROM content_requests WHERE status = 'published'`);
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

  /** The plan a prepared statement keeps for its connection once PostgreSQL switches it to a generic one. */
  let explained = 0;
  async function genericPlan(sql: string, params: unknown[]): Promise<string> {
    const client = await db.connect();
    try {
      await client.query('SET plan_cache_mode = force_generic_plan');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>({ name: `explain-generic-${++explained}`, text: `EXPLAIN ${sql}`, values: params });
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.query('RESET plan_cache_mode');
      client.release();
    }
  }

  const userId = async () => (await db.query<{ id: string }>('SELECT id FROM users LIMIT 1')).rows[0]!.id;

  it('when a user lists their newest requests, then the (user_id, created_at, id) index serves it without a sort', async () => {
    const p = await plan(
      `SELECT id FROM content_requests WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid)) ORDER BY created_at DESC, id DESC LIMIT 21`,
      [await userId(), null, null, null],
    );
    assert.match(p, /Index (Only )?Scan using content_requests_user_created_idx/);
    assert.doesNotMatch(p, /Seq Scan|Sort/);
  });

  it('when a user filters by a final or an in-flight status, then the (user_id, outcome, created_at) index is used', async () => {
    for (const [status, outcome] of [
      ['failed', 'failed'],
      ['queued', 'in_flight'],
    ]) {
      const p = await plan(LIST_REQUESTS_SQL, [await userId(), status, null, null, 21, outcome, null]);
      assert.match(p, /content_requests_user_outcome_created_idx/, status);
      assert.doesNotMatch(p, /Seq Scan/, status);
    }
  });

  it('when a request is submitted, then the quota counter, the user and the idempotency key are primary-key lookups (no count, no scan)', async () => {
    const uid = await userId();
    const p = await plan(SUBMIT_SQL, submitParams(testSubmission(uid, { idempotencyKey: 'a-key' })));
    assert.match(p, /Conflict Arbiter Indexes: daily_usage_pkey/);
    assert.match(p, /Index Scan using users_pkey/);
    assert.match(p, /Index Scan using idempotency_keys_pkey/);
    assert.doesNotMatch(p, /Seq Scan|Aggregate/);
  });

  it('when the submit runs as the prepared statement it is (a generic plan, kept for the connection), then it is still primary-key lookups', async () => {
    // Under a spend budget: the refusal's spend lookup is a primary-key probe too.
    const p = await genericPlan(SUBMIT_SQL, submitParams(testSubmission(await userId(), { idempotencyKey: 'a-key', spendBudgetUsd: 5 })));
    assert.match(p, /Index Scan using users_pkey/);
    assert.match(p, /Index Scan using idempotency_keys_pkey/);
    assert.match(p, /Index Scan using content_requests_pkey/);
    assert.match(p, /Index Scan using daily_usage_pkey/);
    assert.doesNotMatch(p, /Seq Scan/);
  });

  it('when concurrent submissions of several users go as one batch (the prepared, generic plan), then the counters and the users are primary-key probes, taken in user order', async () => {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM users LIMIT 2');
    const [a, b] = rows.map((r) => r.id) as [string, string];
    const p = await genericPlan(SUBMIT_BATCH_SQL, submitBatchParams([testSubmission(a), testSubmission(b), testSubmission(a)]));
    assert.match(p, /Conflict Arbiter Indexes: daily_usage_pkey/);
    assert.match(p, /Index Scan using users_pkey/);
    assert.match(p, /Function Scan/);
    // The counter rows are locked in the order the tracker's spend update locks them, so no two statements deadlock.
    assert.match(p, /Insert on daily_usage[\s\S]*Sort Key: wanted\.user_id, wanted\.day/);
    assert.doesNotMatch(p, /Seq Scan/);
  });

  it('when the calls of a moment are checked against their sessions (the prepared, generic plan), then each is a primary-key probe', async () => {
    // Twenty sign-ins per user over the month (a session family each).
    await db.query(
      `INSERT INTO session_families (id, user_id, expires_at) SELECT gen_random_uuid(), id, now() + interval '30 days' FROM users CROSS JOIN generate_series(1, 20)`,
    );
    await db.query('ANALYZE session_families');
    const { rows: sessions } = await db.query<{ id: string; user_id: string }>('SELECT id, user_id FROM session_families LIMIT 20');
    const p = await genericPlan(SESSION_STATES_SQL, [sessions.map((r) => r.id), sessions.map((r) => r.user_id)]);
    assert.match(p, /Index Scan using session_families_pkey/);
    assert.match(p, /Index Scan using users_pkey/);
    assert.doesNotMatch(p, /Seq Scan|Hash/);
  });

  it('when a batch of stage events is applied, then every row it writes is found by primary key', async () => {
    const { rows } = await db.query<{ id: string }>("SELECT id FROM content_requests WHERE status = 'queued' LIMIT 40");
    const events: StageEventInput[] = rows.flatMap((r, i) => [
      { request_id: r.id, stage: 'research', type: 'started', attempt: 1, at: new Date(Date.now() + i).toISOString() },
      { request_id: r.id, stage: 'research', type: 'completed', attempt: 1, at: new Date(Date.now() + i + 50).toISOString(), duration_ms: 50 },
      {
        request_id: r.id,
        stage: 'write',
        type: 'completed',
        attempt: 1,
        at: new Date().toISOString(),
        result: {
          article: { title: 't', summary: 's', body_markdown: 'b', sources: [] },
          usage: { provider: 'openai', model: 'gpt-4o-mini', cached: false, input_tokens: 800, output_tokens: 200, cost_usd: 0.00024, saved: null },
        },
      },
    ]);
    const { stages, requests } = foldEvents(events);
    const p = await plan(APPLY_EVENTS_SQL, [JSON.stringify(stages), JSON.stringify(requests), stages.length, requests.length, quotaWindow().day]);
    assert.match(p, /Update on request_stages/);
    assert.match(p, /Index Scan using request_stages_pkey/);
    assert.match(p, /Index Scan using content_requests_pkey/);
    assert.match(p, /Conflict Arbiter Indexes: request_results_pkey/);
    // The spend lands on the owner's counter row of the day, found by its primary key.
    assert.match(p, /Conflict Arbiter Indexes: daily_usage_pkey/);
    assert.doesNotMatch(p, /Seq Scan/);
  });

  it('when the delivery loop claims callbacks, or a scrape reads their lag, then the pending index is probed once per waiting endpoint (no scan of the deliveries, however many were sent)', async () => {
    // 200 endpoints with 100 callbacks each, all delivered but three apiece (one due now), every fourth endpoint disabled.
    await db.query(`INSERT INTO webhook_endpoints (id, user_id, url, events, enabled)
      SELECT gen_random_uuid(), id, 'https://hooks.example.com/' || id, ARRAY['request.published'], row_number() OVER () % 4 <> 0 FROM users LIMIT 200`);
    await db.query(`INSERT INTO webhook_deliveries (endpoint_id, event_type, status, next_attempt_at)
      SELECT e.id, 'webhook.test', CASE WHEN g <= 3 THEN 'pending' ELSE 'delivered' END, now() + make_interval(mins => g - 2)
        FROM webhook_endpoints e CROSS JOIN generate_series(1, 100) g`);
    await db.query('ANALYZE webhook_endpoints, webhook_deliveries');
    for (const p of [await plan(CLAIM_DUE_SQL, [20, 60_000, []]), await plan(DELIVERY_LAG_SQL, [])]) {
      assert.match(p, /webhook_deliveries_endpoint_pending_idx/, p);
      assert.doesNotMatch(p, /Seq Scan on webhook_deliveries/, p);
    }
  });

  it('when the load shedder reads the oldest waiting task, then it ranges over the in-flight index only', async () => {
    const p = await plan(OLDEST_WAITING_TASK_SQL, [3600]);
    assert.match(p, /Index (Only )?Scan using content_requests_outcome_created_idx/);
    assert.match(p, /request_stages_pkey/);
    assert.doesNotMatch(p, /Seq Scan/);
  });

  it("when /v1/me reads the user, today's usage and the month's spend, then it is a primary-key probe and one primary-key range of the user's counter rows", async () => {
    const w = quotaWindow();
    const p = await plan(USER_WITH_MONTH_USAGE_SQL, [await userId(), w.day, w.monthStart]);
    assert.match(p, /Index Scan using users_pkey/);
    assert.match(p, /Index Scan using daily_usage_pkey/);
    assert.doesNotMatch(p, /Seq Scan/);
  });

  it('when an admin reads spend per user over a range of days, then the day index finds the range (no scan of every day)', async () => {
    // Today's rows are the whole table here; a past month is the range to look up without reading them.
    const p = await plan(SPEND_BY_USER_SQL, ['2020-01-01', '2020-01-31', 100]);
    assert.match(p, /daily_usage_day_idx/);
    assert.doesNotMatch(p, /Seq Scan on daily_usage/);
  });

  it('when a request and its stages are read (one prepared statement, generic plan), then every row is found by primary key', async () => {
    const rid = (await db.query<{ id: string }>("SELECT id FROM content_requests WHERE status = 'published' LIMIT 1")).rows[0]!.id;
    const p = await genericPlan(REQUEST_DETAIL_SQL, [rid, null]);
    assert.match(p, /content_requests_pkey/);
    assert.match(p, /request_results_pkey/);
    assert.match(p, /request_stages_pkey/);
    assert.doesNotMatch(p, /Seq Scan/);
  });

  it('when an admin lists all requests, with or without a final status, then an index delivers them in order (no scan, no sort)', async () => {
    for (const [status, outcome] of [
      [null, null],
      ['failed', 'failed'],
    ]) {
      const p = await plan(LIST_REQUESTS_SQL, [null, status, null, null, 21, outcome, null]);
      assert.match(p, /Index Scan using content_requests_(outcome_)?created_idx/, String(status));
      assert.doesNotMatch(p, /Seq Scan|Sort/, String(status));
    }
  });

  it('when an admin filters by an in-flight status, then only the requests in flight are read (the in-flight range of the outcome index)', async () => {
    const p = await plan(LIST_REQUESTS_SQL, [null, 'writing', null, null, 21, 'in_flight', null]);
    assert.match(p, /content_requests_outcome_created_idx/);
    assert.match(p, /outcome = 'in_flight'/);
    assert.doesNotMatch(p, /Seq Scan/);
  });
});
