import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/index.ts';

function problemsOf(vars: Record<string, string>): string[] {
  try {
    loadConfig('llm', vars);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
}

describe('LLM_PRICES and DAILY_SPEND_BUDGET_USD (libs/config)', () => {
  it('when LLM_PRICES is a JSON price table, then the config holds it as an object; unset, an empty table and no budget', () => {
    const prices = { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'llama3.1:8b': { input: 0, output: 0 } };
    assert.deepEqual(loadConfig('llm', { LLM_PRICES: JSON.stringify(prices), DAILY_SPEND_BUDGET_USD: '2.5' }).LLM_PRICES, prices);
    assert.equal(loadConfig('llm', { DAILY_SPEND_BUDGET_USD: '2.5' }).DAILY_SPEND_BUDGET_USD, 2.5);
    const defaults = loadConfig('llm', {});
    assert.deepEqual(defaults.LLM_PRICES, {});
    assert.equal(defaults.DAILY_SPEND_BUDGET_USD, undefined);
  });

  it('when LLM_PRICES is not JSON, then start-up names it and says why', () => {
    const problems = problemsOf({ LLM_PRICES: '{gpt-4o-mini: {input: 0.15}}' });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^LLM_PRICES must be JSON \(.+\)$/);
  });

  it('when an entry of LLM_PRICES is malformed, then each bad entry is named by model and field', () => {
    const problems = problemsOf({
      LLM_PRICES: JSON.stringify({
        'gpt-4o': { input: -1, output: 10 },
        cheap: { input: 0.1 },
        typo: { input: 1, output: 2, cached: 0.5 },
        words: { input: 'a lot', output: 1 },
      }),
    });
    const text = problems.join('\n');
    assert.match(text, /^LLM_PRICES\.gpt-4o\.input must be >= 0$/m);
    assert.match(text, /^LLM_PRICES\.cheap\.output is required$/m);
    assert.match(text, /^LLM_PRICES\.typo\.cached is not an allowed field$/m);
    assert.match(text, /^LLM_PRICES\.words\.input must be number$/m);
  });

  it('when LLM_PRICES is JSON of the wrong shape, or the budget is negative or not a number, then each is named with what was given', () => {
    const problems = problemsOf({ LLM_PRICES: '[0.15, 0.6]', DAILY_SPEND_BUDGET_USD: '-1' });
    assert.ok(problems.includes('LLM_PRICES must be object (got "[0.15, 0.6]")'), problems.join('\n'));
    assert.ok(problems.includes('DAILY_SPEND_BUDGET_USD must be >= 0 (got "-1")'), problems.join('\n'));
    assert.match(problemsOf({ DAILY_SPEND_BUDGET_USD: 'ten dollars' }).join('\n'), /^DAILY_SPEND_BUDGET_USD must be number/m);
  });
});
