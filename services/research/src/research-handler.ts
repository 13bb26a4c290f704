import { createJsonCache } from '@pressroom/cache';
import type { Brief } from '@pressroom/contracts';
import type { StageHandler } from '@pressroom/messaging';
import { createOperatorClient, createUserTargetClient } from '@pressroom/resilience';
import type { StageAlerting, WorkerDeps } from '@pressroom/runtime';
import { parseTopic } from '@pressroom/text';
import { createPageFetcher } from './extract/page-fetcher.ts';
import { createSearchProvider } from './providers/create-search-provider.ts';
import type { SearchResult } from './providers/search-provider.ts';
import { createSourceBuilder } from './sources/build-sources.ts';
import { createCachedSearch } from './sources/cached-search.ts';
import { requireEnoughSources } from './sources/require-sources.ts';

/**
 * The query is the topic alone: adding the audience ("for beginners") makes engines favour pages that
 * mention the audience over pages about the subject; tailoring to the audience is the writer's job.
 */
function searchQuery(brief: Brief): string {
  return brief.topic.replace(/\s+/g, ' ').trim();
}

/** How this stage's alerts name its dependency (libs/runtime's stage alerts). */
export const RESEARCH_ALERTING: StageAlerting = { provider: 'search' };

/** The research stage: search the topic, gather each hit's readable text, hand the sources to the writer. */
export async function createResearchHandler(deps: WorkerDeps): Promise<StageHandler<'research'>> {
  const { config, logger, metrics, redis, breakers } = deps;
  // Two trust levels: the search API is the operator's (a self-hosted SearXNG on a private address is the
  // documented setup), the pages it returns are the web's, and so are their redirects and robots.txt.
  const common = { timeoutMs: config.HTTP_TIMEOUT_MS, userAgent: config.FETCH_USER_AGENT, maxResponseBytes: config.RESPONSE_MAX_BYTES };
  const searchClient = createOperatorClient(common);
  const pageClient = createUserTargetClient({ ...common, allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS });
  const provider = await createSearchProvider({ config, client: searchClient, breakers });
  const ttlSeconds = config.SEARCH_CACHE_TTL_S;
  // The local index lives in memory: a Redis round trip would cost more than the search it saves.
  const searchCache =
    provider.name === 'local'
      ? undefined
      : createJsonCache<SearchResult>({ redis, name: 'search', ttlSeconds, logger, metrics, staleTtlSeconds: Math.max(ttlSeconds, 7 * 86400) });
  const pageCache = createJsonCache<string>({ redis, name: 'page', ttlSeconds, logger, metrics });
  const search = createCachedSearch(provider, searchCache, logger);
  const buildSources = createSourceBuilder({
    fetchPage: createPageFetcher({ client: pageClient, breakers, maxBytes: config.FETCH_MAX_BYTES, userAgent: config.FETCH_USER_AGENT }),
    pageCache,
    logger,
  });
  // A corpus document is written to be about one subject; a web result needs a second opinion.
  const minSources = config.MIN_SOURCES ?? (provider.name === 'local' ? 1 : 2);
  // The web drops pages for good (a 403, a PDF, robots.txt, a page over FETCH_MAX_BYTES): a web search asks for
  // twice the sources it keeps (each provider caps the count at what its API allows), fetched only as needed. The
  // local corpus has nothing to drop.
  const candidates = provider.name === 'local' ? config.SEARCH_RESULTS : Math.min(20, config.SEARCH_RESULTS * 2);
  logger.info({ provider: provider.name, min_sources: minSources }, 'research search provider ready');

  return async (task) => {
    const { brief, channel } = task.payload;
    const query = searchQuery(brief);
    const topic = parseTopic(query);
    const { hits, offTopic } = await search(query, candidates);
    const built = await buildSources(hits, topic, config.SEARCH_RESULTS);
    requireEnoughSources({ topic, provider: provider.name, built, offTopic, limit: config.SEARCH_RESULTS, minSources });
    const { sources } = built;
    logger.info({ provider: provider.name, sources: sources.length, dropped: built.dropped }, 'research found sources');
    return { next: { brief, channel, sources }, result: { sources: sources.map(({ title, url }) => ({ title, url })) } };
  };
}
