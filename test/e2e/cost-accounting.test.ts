import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub, type HttpStub } from '@pressroom/test-support';
import { chatCompletion, topicOf } from '../../services/llm/test/support/chat-stub.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { waitForFinalRequest } from '../support/request-polling.ts';

// A deliberately dear model, so one article passes the budget: the stub reports 812 input and 240 output tokens.
const PRICES = { 'gpt-e2e-cost': { input: 150, output: 600 } };
const COST = (812 * 150 + 240 * 600) / 1e6; // 0.2658 USD
const BUDGET_USD = 0.2;
const TOPIC = 'How do honeybees communicate?';

describe('end to end cost accounting: four services, an OpenAI-compatible stub that reports usage, LLM_PRICES and a daily spend budget', () => {
  let llm: HttpStub;
  let pipeline: Pipeline;

  before(async () => {
    llm = await startHttpStub((req) =>
      chatCompletion(
        { title: topicOf(req), summary: 'Bees dance [1].', body_markdown: 'Forager bees dance to share where food is [1].' },
        'gpt-e2e-cost-2025-01-01',
      ),
    );
    pipeline = await startPipeline('e2ecost', {
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${llm.url}/v1`,
      LLM_MODEL: 'gpt-e2e-cost',
      LLM_PRICES: JSON.stringify(PRICES),
      DAILY_SPEND_BUDGET_USD: String(BUDGET_USD),
    });
  });
  after(async () => {
    const codes = await pipeline?.close();
    await llm?.close();
    if (codes) assert.deepEqual(codes, { gateway: 0, research: 0, llm: 0, publisher: 0 }, 'every service exits 0 on SIGTERM');
  });

  const submit = (token: string, topic = TOPIC) => pipeline.api.call('POST', '/v1/requests', { token, body: { topic, length: 'short' } });

  it("when a request is published, then it shows the tokens and cost of its LLM call, its owner's spend grows by that, a cached repeat for another user costs nothing, and the spender is refused once over budget", async () => {
    const spender = await pipeline.api.registerAndLogin();
    const first = await submit(spender.access);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const published = await waitForFinalRequest(pipeline.api, spender.access, first.body.id, 30_000);
    assert.equal(published.status, 'published', JSON.stringify(published));
    assert.deepEqual(published.usage, {
      provider: 'openai',
      model: 'gpt-e2e-cost-2025-01-01',
      cached: false,
      input_tokens: 812,
      output_tokens: 240,
      cost_usd: COST,
      saved: null,
    });
    const me = (await pipeline.api.call('GET', '/v1/me', { token: spender.access })).body;
    assert.deepEqual(
      { today: me.spend.today_usd, month: me.spend.month_usd, budget: me.spend.daily_budget_usd },
      { today: COST, month: COST, budget: BUDGET_USD },
    );

    // The same brief and sources make the same prompt: the llm answers from its cache, and says what that saved.
    const other = await pipeline.api.registerAndLogin();
    const repeat = await submit(other.access);
    const cached = await waitForFinalRequest(pipeline.api, other.access, repeat.body.id, 30_000);
    assert.equal(cached.status, 'published');
    assert.deepEqual(cached.usage, {
      provider: 'openai',
      model: 'gpt-e2e-cost-2025-01-01',
      cached: true,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      saved: { input_tokens: 812, output_tokens: 240, cost_usd: COST },
    });
    assert.equal(llm.requests.filter((r) => topicOf(r) === TOPIC).length, 1, 'the model was asked once');
    assert.equal((await pipeline.api.call('GET', '/v1/me', { token: other.access })).body.spend.today_usd, 0);

    // 0.2658 spent of a 0.2 budget: the spender's next submission is refused; the other user is still under budget.
    const refused = await submit(spender.access, 'How do honeybees find flowers?');
    assert.equal(refused.status, 429, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'quota_exceeded');
    assert.match(refused.body.detail, /daily LLM spend budget of 0\.2 USD/);
    assert.equal((await submit(other.access, 'How do honeybees find flowers?')).status, 202);

    const metrics = await fetch(`http://127.0.0.1:${pipeline.service('llm').port}/metrics`).then((r) => r.text());
    assert.match(metrics, /^pressroom_llm_cost_usd_total\{[^}]*model="gpt-e2e-cost"[^}]*\} 0\.2658$/m);
    assert.match(metrics, /^pressroom_llm_saved_cost_usd_total\{[^}]*model="gpt-e2e-cost"[^}]*\} 0\.2658$/m);
  });
});
