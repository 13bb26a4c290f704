import { createJsonCache } from '@pressroom/cache';
import { permanentError } from '@pressroom/contracts';
import type { StageHandler } from '@pressroom/messaging';
import type { StageAlerting, WorkerDeps } from '@pressroom/runtime';
import { finalizeArticle } from './article/finalize-article.ts';
import { createUsageEstimator } from './cost/llm-usage.ts';
import { createDraftGenerator } from './generate/generate-draft.ts';
import { buildPrompt } from './prompt/build-prompt.ts';
import { createLocalWriter } from './providers/local-writer.ts';
import { createOpenAiChat } from './providers/openai-chat.ts';
import type { Completion } from './providers/writer-provider.ts';

/** How this stage's alerts name its dependency (libs/runtime's stage alerts). */
export const WRITE_ALERTING: StageAlerting = { provider: 'LLM', alertEachFailure: true };

/** The write stage: prompt from brief and sources, a draft from the configured writer, a publishable article. */
export function createWriteHandler(deps: WorkerDeps): StageHandler<'write'> {
  const { config, logger, metrics, redis, breakers } = deps;
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
