import { requestJson } from './request-json.ts';
import { resultList, toHits } from './parse-hits.ts';
import type { ProviderDeps, SearchHit, SearchProvider } from './search-provider.ts';

// The Custom Search JSON API caps `num` at 10 per call.
const MAX_NUM = 10;

/** Google omits `items` altogether when nothing matched. */
export function parseGoogleResponse(body: unknown): SearchHit[] {
  return toHits(resultList('google', body, ['items'], true), { title: 'title', url: 'link', snippet: 'snippet' });
}

/**
 * Google Programmable Search (Custom Search JSON API). Google shuts this API off on 2027-01-01; Serper
 * (Google results), Brave Search and a self-hosted SearXNG are the successors, behind the same interface.
 */
export function createGoogleProvider(deps: ProviderDeps): SearchProvider {
  const { config } = deps;
  return {
    name: 'google',
    cacheScope: `${config.GOOGLE_CSE_URL} cx=${config.GOOGLE_CSE_ID ?? ''}`,
    async search(query, limit) {
      const body = await requestJson(deps, 'google', {
        url: config.GOOGLE_CSE_URL,
        searchParams: { key: config.GOOGLE_API_KEY ?? '', cx: config.GOOGLE_CSE_ID ?? '', q: query, num: Math.min(limit, MAX_NUM) },
      });
      return { hits: parseGoogleResponse(body).slice(0, limit), offTopic: 0 };
    },
  };
}
