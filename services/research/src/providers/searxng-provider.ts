import { requestJson } from './request-json.ts';
import { resultList, toHits } from './parse-hits.ts';
import type { ProviderDeps, SearchHit, SearchProvider } from './search-provider.ts';

export function parseSearxngResponse(body: unknown): SearchHit[] {
  return toHits(resultList('searxng', body, ['results']), { title: 'title', url: 'url', snippet: 'content' });
}

/**
 * A self-hosted SearXNG metasearch instance; its JSON output must be enabled (`search.formats` in
 * settings.yml), otherwise it answers 403. It has no result-count parameter, so the list is cut here.
 */
export function createSearxngProvider(deps: ProviderDeps): SearchProvider {
  // The instance may live under a path prefix (https://host/searx), so append rather than resolve.
  const endpoint = `${(deps.config.SEARXNG_URL ?? '').replace(/\/+$/, '')}/search`;
  return {
    name: 'searxng',
    cacheScope: endpoint,
    async search(query, limit) {
      const body = await requestJson(deps, 'searxng', { url: endpoint, searchParams: { q: query, format: 'json' } });
      return { hits: parseSearxngResponse(body).slice(0, limit), offTopic: 0 };
    },
  };
}
