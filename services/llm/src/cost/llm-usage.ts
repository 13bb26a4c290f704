import type { Config } from '@pressroom/config';
import type { LlmUsage } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import type { Completion, TokenUsage, WriterProvider } from '../providers/writer-provider.ts';

type Prices = Config['LLM_PRICES'];
type Price = Prices[string];
/** What a call spent: the model that answered and the tokens it reported. */
type Spent = Pick<Completion, 'responseModel' | 'usage'>;

/** USD for `usage` at `price` (USD per million tokens), rounded to the 10 decimals PostgreSQL keeps, so sums agree. */
export function costOf(price: Price, usage: TokenUsage): number {
  return Math.round((usage.input * price.input + usage.output * price.output) * 10_000) / 1e10;
}

/**
 * Tokens and estimated cost of one write: a fresh call's, or for a cached answer zero, with what it saved. The
 * price is looked up by the model that answered (OpenAI answers `gpt-4o-mini-2024-07-18` when asked for
 * `gpt-4o-mini`), then by the configured one. A model with no price has an unknown cost (null), said once per
 * model in the log rather than on every request; the built-in writer is free whatever the table says.
 */
export function createUsageEstimator(deps: { prices: Prices; logger: Logger }) {
  const warned = new Set<string>();

  function priceFor(provider: WriterProvider, model: string): Price | null {
    if (provider.name === 'local') return { input: 0, output: 0 };
    // Own keys only: a model named `constructor` must not find Object.prototype's.
    const price = [model, provider.model].find((m) => Object.hasOwn(deps.prices, m));
    if (price !== undefined) return deps.prices[price]!;
    if (!warned.has(model)) {
      warned.add(model);
      deps.logger.warn({ model, configured_model: provider.model }, 'LLM_PRICES has no price for this model; its cost is recorded as unknown');
    }
    return null;
  }

  function tokensAndCost(provider: WriterProvider, completion: Spent) {
    const tokens = provider.name === 'local' ? { input: 0, output: 0 } : completion.usage;
    const price = priceFor(provider, completion.responseModel);
    return {
      input_tokens: tokens?.input ?? null,
      output_tokens: tokens?.output ?? null,
      cost_usd: price && tokens ? costOf(price, tokens) : null,
    };
  }

  return function usageOf(provider: WriterProvider, completion: Spent, cached: boolean): LlmUsage {
    const spent = tokensAndCost(provider, completion);
    const base = { provider: provider.name, model: completion.responseModel, cached };
    if (!cached) return { ...base, ...spent, saved: null };
    return { ...base, input_tokens: 0, output_tokens: 0, cost_usd: 0, saved: spent };
  };
}

export type UsageEstimator = ReturnType<typeof createUsageEstimator>;
