import { createHash } from 'node:crypto';
import { permanentError } from '@pressroom/contracts';
import type { JsonCache } from '@pressroom/cache';
import type { SearchHit, SearchProvider } from '../providers/search-provider.ts';

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

/**
 * Search through a Redis cache keyed by provider, limit and query (case-folded: engines ignore case).
 * An empty result is thrown, not returned, so it is never cached: the next request asks again.
 */
export function createCachedSearch(provider: SearchProvider, cache: JsonCache<SearchHit[]> | undefined) {
  return async (query: string, limit: number): Promise<SearchHit[]> => {
    const run = async () => {
      const hits = await provider.search(query, limit);
      if (hits.length === 0) throw permanentError('no_sources', `nothing matched "${query}": the ${provider.name} search returned no results`);
      return hits;
    };
    if (!cache) return run();
    const { value } = await cache.getOrCompute(`${provider.name}:${limit}:${hash(query.toLowerCase())}`, run);
    return value;
  };
}
