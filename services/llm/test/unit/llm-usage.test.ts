import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@pressroom/logger';
import { costOf, createUsageEstimator } from '../../src/cost/llm-usage.ts';
import type { Completion, WriterProvider } from '../../src/providers/writer-provider.ts';

const openai: WriterProvider = { name: 'openai', system: 'openai', model: 'gpt-4o-mini', cacheScope: '', complete: () => Promise.reject(new Error('unused')) };
const local: WriterProvider = {
  name: 'local',
  system: 'pressroom.local',
  model: 'extractive-v2',
  cacheScope: '',
  complete: () => Promise.reject(new Error('unused')),
};
const draft = { title: 'T', summary: 'S', body_markdown: 'B' };
const answered = (responseModel: string, usage?: { input: number; output: number }): Completion => ({ draft, responseModel, ...(usage ? { usage } : {}) });
const PRICES = { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'gpt-4o-2024-08-06': { input: 2.5, output: 10 } };

function estimator(prices: Record<string, { input: number; output: number }> = PRICES) {
  const lines: string[] = [];
  const logger = createLogger({ service: 'llm', level: 'warn', destination: { write: (l: string) => void lines.push(l) } });
  return { usageOf: createUsageEstimator({ prices, logger }), warnings: () => lines.map((l) => JSON.parse(l) as { msg: string; model: string }) };
}

describe('LLM usage and cost (price table per million tokens)', () => {
  it('when the price is per million tokens, then the cost is exact to 10 decimals', () => {
    assert.equal(costOf({ input: 0.15, output: 0.6 }, { input: 812, output: 240 }), 0.0002658);
    assert.equal(costOf({ input: 2.5, output: 10 }, { input: 1_000_000, output: 500_000 }), 7.5);
    assert.equal(costOf({ input: 0.02, output: 0 }, { input: 1, output: 99 }), 0.00000002);
  });

  it('when a fresh call answers under a dated model name, then it is priced by that name if listed, else by the configured model', () => {
    const { usageOf } = estimator();
    assert.deepEqual(usageOf(openai, answered('gpt-4o-mini-2024-07-18', { input: 812, output: 240 }), false), {
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      cached: false,
      input_tokens: 812,
      output_tokens: 240,
      cost_usd: 0.0002658,
      saved: null,
    });
    assert.equal(usageOf(openai, answered('gpt-4o-2024-08-06', { input: 1000, output: 100 }), false).cost_usd, 0.0035, 'the answering model wins');
  });

  it('when the answer came from the cache, then the call cost nothing and what it saved is recorded', () => {
    const { usageOf } = estimator();
    assert.deepEqual(usageOf(openai, answered('gpt-4o-mini-2024-07-18', { input: 812, output: 240 }), true), {
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      cached: true,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      saved: { input_tokens: 812, output_tokens: 240, cost_usd: 0.0002658 },
    });
  });

  it('when the model has no price, then its cost is unknown (null), not zero, and the warning is logged once per model', () => {
    const { usageOf, warnings } = estimator({});
    const first = usageOf(openai, answered('gpt-4o-mini-2024-07-18', { input: 10, output: 5 }), false);
    assert.equal(first.cost_usd, null);
    assert.equal(first.input_tokens, 10, 'the tokens are still recorded');
    usageOf(openai, answered('gpt-4o-mini-2024-07-18', { input: 10, output: 5 }), false);
    assert.equal(usageOf(openai, answered('gpt-4o-mini-2024-07-18', { input: 10, output: 5 }), true).saved?.cost_usd, null);
    usageOf(openai, answered('another-model', { input: 1, output: 1 }), false);
    assert.deepEqual(
      warnings().map((w) => w.model),
      ['gpt-4o-mini-2024-07-18', 'another-model'],
    );
    assert.match(warnings()[0]!.msg, /LLM_PRICES has no price/);
  });

  it('when the provider reports no usage, then tokens and cost are unknown', () => {
    const { usageOf } = estimator();
    assert.deepEqual(usageOf(openai, answered('gpt-4o-mini'), false), {
      provider: 'openai',
      model: 'gpt-4o-mini',
      cached: false,
      input_tokens: null,
      output_tokens: null,
      cost_usd: null,
      saved: null,
    });
  });

  it('when the built-in writer wrote it, then it cost zero whatever the price table says, and no warning', () => {
    const { usageOf, warnings } = estimator({ 'extractive-v2': { input: 100, output: 100 } });
    assert.deepEqual(usageOf(local, answered('extractive-v2'), false), {
      provider: 'local',
      model: 'extractive-v2',
      cached: false,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      saved: null,
    });
    assert.deepEqual(estimator({}).usageOf(local, answered('extractive-v2'), true).saved, { input_tokens: 0, output_tokens: 0, cost_usd: 0 });
    assert.deepEqual(warnings(), []);
  });
});
