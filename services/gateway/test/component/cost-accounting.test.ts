import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { publishEvent } from '@pressroom/messaging';
import { AdminSpendPage, MeView, RequestView, createValidator, type LlmUsage, type StageEvent } from '@pressroom/contracts';
import { pollUntil, startHttpStub } from '@pressroom/test-support';
import type { AlertEvent } from '../../src/alerts/alerts.ts';
import { quotaWindow } from '../../src/requests/quota.ts';
import { applyStageEvents } from '../../src/tracker/request-state-writer.ts';
import { startTestGateway } from '../support/gateway-harness.ts';

const ADMIN = { email: 'admin@cost.test', password: 'admin password for tests' };
const BUDGET_USD = 0.01;
const article = {
  title: 'Tides',
  summary: 'About tides.',
  body_markdown: 'The moon pulls [1].',
  sources: [{ title: 'Tides', url: 'https://example.org/tides' }],
};
const validator = createValidator();
/** A response as the document describes it (openapi-conformance covers the empty cases; these carry usage and spend). */
function assertMatches(schema: Parameters<typeof validator.check>[0], body: unknown): void {
  const result = validator.check(schema, body);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
}
const usage = (over: Partial<LlmUsage> = {}): LlmUsage => ({
  provider: 'openai',
  model: 'gpt-4o-mini-2024-07-18',
  cached: false,
  input_tokens: 812,
  output_tokens: 240,
  cost_usd: 0.006,
  saved: null,
  ...over,
});

describe('cost accounting in the gateway: usage stored by the tracker, spend on /v1/me and /v1/admin/spend, the daily spend budget (real PostgreSQL and RabbitMQ)', () => {
  const raised: AlertEvent[] = [];
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let admin: string;
  before(async () => {
    h = await startTestGateway(
      { DAILY_SPEND_BUDGET_USD: String(BUDGET_USD), BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
      'cost',
      {
        alerts: { raiseAlert: (e) => void raised.push(e) },
      },
    );
    admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
  });
  after(() => h.close());

  const submit = (token: string, topic: string) => h.api.call('POST', '/v1/requests', { token, body: { topic } });

  /** Submits a request and reports its write stage done with `u`, the way the llm worker does; resolves once it is stored. */
  async function writtenRequest(user: { access: string; userId: string }, topic: string, u: LlmUsage, messageId = `write-${topic}`) {
    const created = await submit(user.access, topic);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const event: Omit<StageEvent, 'event_id' | 'at'> & { at: string } = {
      message_id: messageId,
      request_id: created.body.id,
      user_id: user.userId,
      stage: 'write',
      type: 'completed',
      attempt: 1,
      at: new Date().toISOString(),
      duration_ms: 20,
      result: { article, usage: u },
    };
    await publishEvent(h.gateway.deps.broker, event);
    const view = await pollUntil(
      `the usage of "${topic}" stored`,
      async () => {
        const res = await h.api.call('GET', `/v1/requests/${created.body.id}`, { token: user.access });
        return res.body.usage ? res.body : undefined;
      },
      { timeoutMs: 10_000 },
    );
    return { id: created.body.id as string, view, event };
  }

  it('when the write stage completes with usage, then GET /v1/requests/{id} shows its tokens and cost, and /v1/me the spend of today and this month', async () => {
    const user = await h.api.registerAndLogin();
    const before = (await h.api.call('GET', '/v1/me', { token: user.access })).body;
    assert.deepEqual(before.spend, { today_usd: 0, month_usd: 0, daily_budget_usd: BUDGET_USD, resets_at: quotaWindow().resetsAt.toISOString() });

    const { view } = await writtenRequest(user, 'ocean tides explained', usage());
    assert.deepEqual(view.usage, usage());
    assertMatches(RequestView, view);
    const me = (await h.api.call('GET', '/v1/me', { token: user.access })).body;
    assertMatches(MeView, me);
    assert.equal(me.spend.today_usd, 0.006);
    assert.equal(me.spend.month_usd, 0.006);
    assert.equal(me.quota.used_today, 1, 'spending leaves the request count as it was');
  });

  it('when a completed event is delivered twice, then its cost is counted once', async () => {
    const user = await h.api.registerAndLogin();
    const { id, event } = await writtenRequest(user, 'redelivered write event', usage({ cost_usd: 0.002 }));
    await publishEvent(h.gateway.deps.broker, { ...event, message_id: 'write-redelivered-again' });
    // The request's next event, after the duplicate: a request's events are recorded in order, so once the
    // publish stage shows as started, the duplicate has been recorded too.
    await publishEvent(h.gateway.deps.broker, {
      message_id: 'publish-started',
      request_id: id,
      user_id: user.userId,
      stage: 'publish',
      type: 'started',
      attempt: 1,
    });
    await pollUntil('the publish stage started', async () =>
      (await h.api.call('GET', `/v1/requests/${id}`, { token: user.access })).body.status === 'publishing' ? true : undefined,
    );
    assert.equal((await h.api.call('GET', '/v1/me', { token: user.access })).body.spend.today_usd, 0.002);
  });

  it("when one batch stores the articles of two requests of one user, then both costs land on that user's one counter row", async () => {
    const user = await h.api.registerAndLogin();
    const [a, b] = await Promise.all([submit(user.access, 'batched article one'), submit(user.access, 'batched article two')]);
    const written = (id: string, cost: number) => ({
      request_id: id,
      stage: 'write' as const,
      type: 'completed' as const,
      attempt: 1,
      at: new Date().toISOString(),
      duration_ms: 10,
      result: { article, usage: usage({ cost_usd: cost }) },
    });
    // Straight into the tracker's statement, so that both are one batch (an upsert may not touch one row twice).
    await applyStageEvents(h.gateway.deps.db, [written(a.body.id, 0.001), written(b.body.id, 0.002)]);
    assert.equal((await h.api.call('GET', '/v1/me', { token: user.access })).body.spend.today_usd, 0.003);
    assert.equal((await h.api.call('GET', `/v1/requests/${b.body.id}`, { token: user.access })).body.usage.cost_usd, 0.002);
  });

  it('when the answer came from the cache or the model has no price, then the request records zero or unknown cost and the spend adds nothing for it', async () => {
    const user = await h.api.registerAndLogin();
    const cached = usage({ cached: true, input_tokens: 0, output_tokens: 0, cost_usd: 0, saved: { input_tokens: 812, output_tokens: 240, cost_usd: 0.006 } });
    const cachedView = (await writtenRequest(user, 'a cached answer', cached)).view;
    assert.deepEqual(cachedView.usage, cached);
    assertMatches(RequestView, cachedView);
    const unpriced = usage({ model: 'mystery-model', cost_usd: null });
    assert.deepEqual((await writtenRequest(user, 'an unpriced model', unpriced)).view.usage, unpriced);
    assert.equal((await h.api.call('GET', '/v1/me', { token: user.access })).body.spend.today_usd, 0);
  });

  it('when a user has spent DAILY_SPEND_BUDGET_USD today, then a new submission is 429 quota_exceeded with Retry-After and an alert, and other users are not affected', async () => {
    const spender = await h.api.registerAndLogin();
    await writtenRequest(spender, 'first costly article', usage({ cost_usd: 0.007 }));
    assert.equal((await submit(spender.access, 'still under budget')).status, 202, '0.007 of 0.01 spent: still allowed');
    await writtenRequest(spender, 'second costly article', usage({ cost_usd: 0.004 }));

    const refused = await submit(spender.access, 'over the budget now');
    assert.equal(refused.status, 429);
    assert.match(String(refused.headers.get('content-type')), /^application\/problem\+json/);
    assert.equal(refused.body.code, 'quota_exceeded');
    assert.match(refused.body.detail, /daily LLM spend budget of 0\.01 USD is used up \(0\.011 USD spent today\)/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.deepEqual(raised.at(-1), { kind: 'spend_budget_exceeded', user_id: spender.userId, daily_budget_usd: BUDGET_USD, spent_today_usd: 0.011 });
    assert.match((await h.ops.call('GET', '/metrics')).body, /pressroom_quota_exceeded_total\{[^}]*quota="spend"[^}]*\} [1-9]/);

    const me = (await h.api.call('GET', '/v1/me', { token: spender.access })).body;
    assert.equal(me.quota.used_today, 3, 'the refused submission took no request slot');
    assert.equal((await h.api.call('GET', '/v1/requests?limit=100', { token: spender.access })).body.items.length, 3, 'and stored nothing');
    const other = await h.api.registerAndLogin();
    assert.equal((await submit(other.access, 'someone else submits')).status, 202);
  });

  it('when an admin asks for spend per user, then each user with activity in the range is listed, highest spend first, with the total', async () => {
    const a = await h.api.registerAndLogin();
    const b = await h.api.registerAndLogin();
    await writtenRequest(a, 'admin view article a', usage({ cost_usd: 0.001 }));
    await writtenRequest(b, 'admin view article b', usage({ cost_usd: 0.005 }));
    const res = await h.api.call('GET', '/v1/admin/spend?limit=500', { token: admin });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertMatches(AdminSpendPage, res.body);
    const w = quotaWindow();
    assert.equal(res.body.from, w.monthStart);
    assert.equal(res.body.to, w.day);
    const rows = res.body.items as Array<{ user_id: string; email: string; requests: number; spent_usd: number }>;
    assert.deepEqual(
      rows.find((r) => r.user_id === b.userId),
      { user_id: b.userId, email: b.email, requests: 1, spent_usd: 0.005 },
    );
    assert.deepEqual(
      rows.find((r) => r.user_id === a.userId),
      { user_id: a.userId, email: a.email, requests: 1, spent_usd: 0.001 },
    );
    assert.deepEqual(
      rows.map((r) => r.spent_usd),
      rows.map((r) => r.spent_usd).sort((x, y) => y - x),
      'highest first',
    );
    assert.ok(Math.abs(res.body.total_usd - rows.reduce((s, r) => s + r.spent_usd, 0)) < 1e-9);

    const past = await h.api.call('GET', '/v1/admin/spend?from=2020-01-01&to=2020-01-31', { token: admin });
    assert.deepEqual(past.body, { from: '2020-01-01', to: '2020-01-31', total_usd: 0, items: [] });
    const top = await h.api.call('GET', '/v1/admin/spend?limit=1', { token: admin });
    assert.equal(top.body.items.length, 1);
    assert.equal(top.body.total_usd, res.body.total_usd, 'the total covers every user, not only the page');
  });

  it('when the spend range is malformed, reversed or too long, or the caller is not an admin, then a problem+json says so', async () => {
    for (const [query, field] of [
      ['from=2025-13-01', 'from'],
      ['to=yesterday', 'to'],
      ['from=2025-02-01&to=2025-01-01', 'from'],
      ['from=2023-01-01&to=2025-01-01', 'from'],
      ['limit=0', 'limit'],
      ['month=1', 'month'],
    ] as const) {
      const res = await h.api.call('GET', `/v1/admin/spend?${query}`, { token: admin });
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, 'validation_failed', query);
      assert.equal(res.body.errors?.[0]?.field, field, `${query}: ${JSON.stringify(res.body)}`);
    }
    const user = await h.api.registerAndLogin();
    assert.equal((await h.api.call('GET', '/v1/admin/spend', { token: user.access })).status, 403);
    assert.equal((await h.api.call('GET', '/v1/admin/spend')).status, 401);
  });

  it('when DAILY_SPEND_BUDGET_USD is 0 and an alert sink is configured, then every submission is refused and the sink gets one quota_exceeded alert naming the budget', async () => {
    const sink = await startHttpStub(() => ({ status: 204 }));
    const g = await startTestGateway({ DAILY_SPEND_BUDGET_USD: '0', ALERT_WEBHOOK_URL: `${sink.url}/alerts` }, 'costal');
    try {
      const u = await g.api.registerAndLogin();
      for (const topic of ['first topic', 'second topic']) {
        const res = await g.api.call('POST', '/v1/requests', { token: u.access, body: { topic } });
        assert.equal(res.status, 429);
        assert.equal(res.body.code, 'quota_exceeded');
      }
      await sink.waitFor(1);
      const body = sink.requests[0]!.json() as { alert: { kind: string; summary: string; details: Record<string, unknown> } };
      assert.equal(body.alert.kind, 'quota_exceeded');
      assert.match(body.alert.summary, /spend budget/);
      assert.deepEqual(body.alert.details, { user_id: u.userId, daily_budget_usd: 0, spent_today_usd: 0 });
      assert.equal(sink.requests.length, 1, 'the repeat within the cooldown was suppressed');
      assert.equal((await g.api.call('GET', '/v1/me', { token: u.access })).body.quota.used_today, 0);
    } finally {
      await g.close();
      await sink.close();
    }
  });
});
