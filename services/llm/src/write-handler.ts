import { createJsonCache } from '@pressroom/cache';
import { permanentError } from '@pressroom/contracts';
import type { StageHandler } from '@pressroom/messaging';
import type { StageAlerting, WorkerDeps } from '@pressroom/runtime';
import { finalizeArticle } from './article/finalize-article.ts';
import { createUsageEstimator } from './cost/llm-usage.ts';
import { createDraftGenerator } from './generate/generate-draft.ts';
import { ANSWER_TOKENS, buildPrompt } from './prompt/build-prompt.ts';
import { createLocalWriter } from './providers/local-writer.ts';
import { createOpenAiChat } from './providers/openai-chat.ts';
import type { Completion } from './providers/writer-provider.ts';

/** How this stage's alerts name its dependency (libs/runtime's stage alerts). */
export const WRITE_ALERTING: StageAlerting = { provider: 'LLM', alertEachFailure: true };

/**
 * Said once at start: a token cap below what an article length needs fails every request of that length (the
 * answer is cut off, llm_output_truncated, after its tokens are paid for). Returns the lengths it would cut.
 */
export function warnIfAnswersCut(config: Pick<WorkerDeps['config'], 'LLM_PROVIDER' | 'LLM_MAX_TOKENS'>, logger: WorkerDeps['logger']): string[] {
  if (config.LLM_PROVIDER !== 'openai') return [];
  const cut = Object.entries(ANSWER_TOKENS).flatMap(([length, needed]) => (config.LLM_MAX_TOKENS < needed ? [length] : []));
  if (cut.length > 0)
    logger.warn(
      { LLM_MAX_TOKENS: config.LLM_MAX_TOKENS, needed: ANSWER_TOKENS, lengths: cut },
      `LLM_MAX_TOKENS=${config.LLM_MAX_TOKENS} is below what ${cut.join(' and ')} articles need: their answers will be cut off and fail (llm_output_truncated)`,
    );
  return cut;
}

/** The write stage: prompt from brief and sources, a draft from the configured writer, a publishable article. */
export function createWriteHandler(deps: WorkerDeps): StageHandler<'write'> {
  const { config, logger, metrics, redis, breakers } = deps;
  warnIfAnswersCut(config, logger);
  const provider = config.LLM_PROVIDER === 'openai' ? createOpenAiChat({ config, breakers, logger }) : createLocalWriter();
  const cache = createJsonCache<Completion>({ redis, name: 'llm', ttlSeconds: config.LLM_CACHE_TTL_S, logger, metrics });
  const generate = createDraftGenerator({ provider, cache, metrics, logger, usageOf: createUsageEstimator({ prices: config.LLM_PRICES, logger }) });

  return async (task, context) => {
    const { brief, channel, sources } = task.payload;
    // Writing "only from the sources" with none would mean inventing the article; no retry can change that.
    if (sources.length === 0) throw permanentError('no_sources', 'research found no sources to write from');
    const messages = buildPrompt(brief, sources);
    const { completion, usage } = await generate({ brief, sources, messages }, context?.signal);
    const article = finalizeArticle(completion.draft, sources, brief.topic);
    return { next: { brief, channel, article }, result: { article, usage } };
  };
}
