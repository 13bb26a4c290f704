import { createHash } from 'node:crypto';
import { TaskError, permanentError } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import type { JsonCache } from '@pressroom/cache';
import type { SearchProvider, SearchResult } from '../providers/search-provider.ts';

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);
// Bumped when the cached shape changes (v2: a SearchResult object instead of a bare list of hits).
// v3: the provider's scope (its endpoint, engine or corpus) is in the key.
const KEY_VERSION = 'v3';

/**
 * Search through a Redis cache keyed by provider and its scope, limit and query (case-folded: engines ignore case).
 * An empty result is thrown, not returned, so it is never cached: the next request asks again.
 */
export function createCachedSearch(provider: SearchProvider, cache: JsonCache<SearchResult> | undefined, logger?: Logger) {
  return async (query: string, limit: number): Promise<SearchResult> => {
    const run = async () => {
      const result = await provider.search(query, limit);
      if (result.hits.length === 0 && result.offTopic === 0)
        throw permanentError('no_sources', `nothing matched "${query}": the ${provider.name} search returned no results`);
      return result;
    };
    if (!cache) return run();
    const key = `${KEY_VERSION}:${provider.name}:${limit}:${hash(`${provider.cacheScope}\n${query.toLowerCase()}`)}`;
    try {
      const { value } = await cache.getOrCompute(key, run);
      return value;
    } catch (err) {
      // While the search API's breaker is open, yesterday's answer beats waiting: serve a stale copy if one exists.
      if (!(err instanceof TaskError) || err.code !== 'breaker_open') throw err;
      const stale = await cache.getStale(key);
      if (!stale) throw err;
      logger?.warn({ provider: provider.name }, 'search breaker open; serving a stale cached result');
      return stale;
    }
  };
}
