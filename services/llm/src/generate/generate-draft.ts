import type { JsonCache } from '@pressroom/cache';
import type { Logger } from '@pressroom/logger';
import type { Metrics } from '@pressroom/telemetry';
import { promptHash } from '../prompt/build-prompt.ts';
import type { Completion, WriteInput, WriterProvider } from '../providers/writer-provider.ts';
import { inGenAiSpan } from './genai-span.ts';

const OUTCOME_BY_CODE: Record<string, string> = { upstream_timeout: 'timeout', upstream_rate_limited: 'rate_limited' };

/**
 * Writes a draft through the response cache: keyed by prompt hash, so a repeated brief with the same sources
 * costs nothing, and identical prompts in flight are sent once. Failures are never cached.
 */
export function createDraftGenerator(deps: { provider: WriterProvider; cache: JsonCache<Completion>; metrics: Metrics; logger: Logger }) {
  const { provider, cache, metrics, logger } = deps;
  const labels = { provider: provider.name, model: provider.model };

  async function call(input: WriteInput, requestId: string, signal?: AbortSignal): Promise<Completion> {
    try {
      const completion = await inGenAiSpan(provider, requestId, () => provider.complete(input, signal));
      metrics.llmCalls.inc({ ...labels, outcome: 'success' });
      if (completion.usage) {
        metrics.llmTokens.inc({ ...labels, kind: 'input' }, completion.usage.input);
        metrics.llmTokens.inc({ ...labels, kind: 'output' }, completion.usage.output);
      }
      return completion;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      metrics.llmCalls.inc({ ...labels, outcome: OUTCOME_BY_CODE[code] ?? 'error' });
      throw err;
    }
  }

  return async function generate(input: WriteInput, requestId: string, signal?: AbortSignal): Promise<{ completion: Completion; cached: boolean }> {
    const key = promptHash(input.messages, provider.model);
    const { value, cached } = await cache.getOrCompute(key, () => call(input, requestId, signal));
    if (cached) metrics.llmCalls.inc({ ...labels, outcome: 'cached' });
    logger.info({ provider: provider.name, model: provider.model, cached, prompt_hash: key.slice(0, 16) }, 'article drafted');
    return { completion: value, cached };
  };
}
