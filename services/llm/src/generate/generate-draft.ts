import type { JsonCache } from '@pressroom/cache';
import type { Logger } from '@pressroom/logger';
import type { LlmUsage } from '@pressroom/contracts';
import type { Metrics } from '@pressroom/telemetry';
import type { UsageEstimator } from '../cost/llm-usage.ts';
import { promptHash } from '../prompt/build-prompt.ts';
import { spendOf, type Completion, type WriteInput, type WriterProvider } from '../providers/writer-provider.ts';
import { inGenAiSpan } from './genai-span.ts';

// breaker_open: refused by the open breaker, so never sent (the task is deferred and comes back every few seconds).
const OUTCOME_BY_CODE: Record<string, string> = { upstream_timeout: 'timeout', upstream_rate_limited: 'rate_limited', breaker_open: 'breaker_open' };

/**
 * Writes a draft through the response cache: keyed by prompt hash, so a repeated brief with the same sources
 * costs nothing, and identical prompts in flight are sent once. Failures are never cached.
 */
export function createDraftGenerator(deps: {
  provider: WriterProvider;
  cache: JsonCache<Completion>;
  metrics: Metrics;
  logger: Logger;
  usageOf: UsageEstimator;
}) {
  const { provider, cache, metrics, logger, usageOf } = deps;
  const labels = { provider: provider.name, model: provider.model };

  async function call(input: WriteInput, signal?: AbortSignal): Promise<Completion> {
    try {
      const completion = await inGenAiSpan(provider, () => provider.complete(input, signal));
      metrics.llmCalls.inc({ ...labels, outcome: 'success' });
      countTokens(completion.usage);
      return completion;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // Abandoned for a cancel: not the provider's failure.
      metrics.llmCalls.inc({ ...labels, outcome: signal?.aborted ? 'cancelled' : (OUTCOME_BY_CODE[code] ?? 'error') });
      // An answer that could not be used was still billed: its tokens and cost count like any other call's.
      const spent = spendOf(err);
      if (spent) {
        countTokens(spent.usage);
        metrics.llmCost.inc(labels, usageOf(provider, spent, false).cost_usd ?? 0);
      }
      throw err;
    }
  }

  function countTokens(usage: Completion['usage']): void {
    if (!usage) return;
    metrics.llmTokens.inc({ ...labels, kind: 'input' }, usage.input);
    metrics.llmTokens.inc({ ...labels, kind: 'output' }, usage.output);
  }

  /** Cost beside the token counter: what was spent, or for a cached answer what was saved (unknown costs add nothing). */
  function countCost(usage: LlmUsage): void {
    metrics.llmCost.inc(labels, usage.cost_usd ?? 0);
    if (!usage.saved) return;
    metrics.llmSavedTokens.inc({ ...labels, kind: 'input' }, usage.saved.input_tokens ?? 0);
    metrics.llmSavedTokens.inc({ ...labels, kind: 'output' }, usage.saved.output_tokens ?? 0);
    metrics.llmSavedCost.inc(labels, usage.saved.cost_usd ?? 0);
  }

  return async function generate(input: WriteInput, signal?: AbortSignal): Promise<{ completion: Completion; cached: boolean; usage: LlmUsage }> {
    const key = promptHash(input.messages, provider.model, provider.cacheScope);
    // The call runs under the cache's signal: identical prompts share it, and it is abandoned only when every
    // request waiting on it was cancelled.
    const { value, cached } = await cache.getOrCompute(key, (shared) => call(input, shared), signal);
    if (cached) metrics.llmCalls.inc({ ...labels, outcome: 'cached' });
    const usage = usageOf(provider, value, cached);
    countCost(usage);
    logger.info(
      {
        provider: provider.name,
        model: provider.model,
        cached,
        prompt_hash: key.slice(0, 16),
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cost_usd: usage.cost_usd,
      },
      'article drafted',
    );
    return { completion: value, cached, usage };
  };
}
