import { decodeEntities } from '../extract/html-to-text.ts';
import { requestJson } from './request-json.ts';
import { resultList, toHits } from './parse-hits.ts';
import type { ProviderDeps, SearchHit, SearchProvider } from './search-provider.ts';

// Brave's API documents `count` as at most 20.
const MAX_COUNT = 20;

// Brave highlights matches with <strong> tags and escapes entities in titles and descriptions.
const stripTags = (s: string): string =>
  decodeEntities(s.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();

/** Brave omits `web` when there are no web results. */
export function parseBraveResponse(body: unknown): SearchHit[] {
  return toHits(resultList('brave', body, ['web', 'results'], true), { title: 'title', url: 'url', snippet: 'description' }, stripTags);
}

/** Brave Search API (https://api-dashboard.search.brave.com/app/documentation/web-search). */
export function createBraveProvider(deps: ProviderDeps): SearchProvider {
  const { config } = deps;
  return {
    name: 'brave',
    cacheScope: config.BRAVE_URL,
    async search(query, limit) {
      const body = await requestJson(deps, 'brave', {
        url: config.BRAVE_URL,
        searchParams: { q: query, count: Math.min(limit, MAX_COUNT) },
        headers: { 'x-subscription-token': config.BRAVE_API_KEY ?? '', accept: 'application/json' },
      });
      return { hits: parseBraveResponse(body).slice(0, limit), offTopic: 0 };
    },
  };
}
