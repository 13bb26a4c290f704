import { transientError } from '@pressroom/contracts';
import { requestJson } from './request-json.ts';
import { resultList, toHits } from './parse-hits.ts';
import type { ProviderDeps, SearchHit, SearchProvider } from './search-provider.ts';

/**
 * The hits, or a transient error when there are none because engines did not answer: SearXNG says 200 with no
 * results when the engines it asks are blocked (a CAPTCHA, a rate limit, a timeout) and lists them in
 * `unresponsive_engines`. Read as "nothing found", that failed the request for good (no_sources) during an outage.
 */
export function parseSearxngResponse(body: unknown): SearchHit[] {
  const hits = toHits(resultList('searxng', body, ['results']), { title: 'title', url: 'url', snippet: 'content' });
  const unresponsive = (body as { unresponsive_engines?: unknown } | null)?.unresponsive_engines;
  if (hits.length === 0 && Array.isArray(unresponsive) && unresponsive.length > 0) {
    const named = unresponsive
      .slice(0, 5)
      .map((e) => (Array.isArray(e) ? e.map(String).join(': ') : String(e)))
      .join(', ');
    throw transientError('upstream_unreachable', `SearXNG found nothing because ${unresponsive.length} of its engines did not answer (${named})`);
  }
  return hits;
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
