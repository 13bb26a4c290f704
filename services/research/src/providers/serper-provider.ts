import { requestJson } from './request-json.ts';
import { resultList, toHits } from './parse-hits.ts';
import type { ProviderDeps, SearchHit, SearchProvider } from './search-provider.ts';

export function parseSerperResponse(body: unknown): SearchHit[] {
  return toHits(resultList('serper', body, ['organic']), { title: 'title', url: 'link', snippet: 'snippet' });
}

/** Serper: Google results through a paid proxy API (https://serper.dev). */
export function createSerperProvider(deps: ProviderDeps): SearchProvider {
  const { config } = deps;
  return {
    name: 'serper',
    cacheScope: config.SERPER_URL,
    async search(query, limit) {
      const body = await requestJson(deps, 'serper', {
        url: config.SERPER_URL,
        method: 'POST',
        headers: { 'x-api-key': config.SERPER_API_KEY ?? '' },
        json: { q: query, num: limit },
      });
      return { hits: parseSerperResponse(body).slice(0, limit), offTopic: 0 };
    },
  };
}
