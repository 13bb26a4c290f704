import { createHash } from 'node:crypto';
import type { JsonCache } from '@pressroom/cache';
import type { Source } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import type { PageFetcher } from '../extract/page-fetcher.ts';
import type { SearchHit } from '../providers/search-provider.ts';
import { snippet } from '../search/snippet.ts';
import { clip } from './clip.ts';

// Source text rides inside every write task and LLM prompt, so it is capped well below the schema's 20000.
export const TEXT_CHARS = 4000;
const SNIPPET_CHARS = 300;
// Schema limits (libs/contracts Source): a longer URL is dropped, since a truncated one points nowhere.
const TITLE_MAX = 500;
const SNIPPET_MAX = 2000;
const URL_MAX = 2048;

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

export interface SourceBuilderDeps {
  fetchPage: PageFetcher;
  pageCache: JsonCache<string> | undefined;
  logger: Logger;
}

/**
 * Turns search hits into sources. Hits without text get their page fetched (in parallel, through the page
 * cache); a failed fetch keeps the source with the search snippet as its text, since the search itself worked.
 */
export function createSourceBuilder(deps: SourceBuilderDeps) {
  async function pageText(url: string): Promise<string> {
    const fetch = async () => clip(await deps.fetchPage(url), TEXT_CHARS);
    if (!deps.pageCache) return fetch();
    return (await deps.pageCache.getOrCompute(hash(url), fetch)).value;
  }

  async function toSource(hit: SearchHit, query: string): Promise<Source> {
    let text = hit.text;
    if (text === undefined) {
      text = await pageText(hit.url).catch((err: unknown) => {
        // One line, no stack: a dead link among search results is routine, not a fault in this worker.
        const { code, message } = err as { code?: unknown; message?: unknown };
        deps.logger.warn({ url: hit.url, code, reason: message }, 'page fetch failed; using the search snippet as the source text');
        return '';
      });
    }
    const summary = hit.snippet || snippet(text, query, SNIPPET_CHARS);
    return { title: clip(hit.title, TITLE_MAX), url: hit.url, snippet: clip(summary, SNIPPET_MAX), text: clip(text || summary, TEXT_CHARS) };
  }

  return async (hits: SearchHit[], query: string): Promise<Source[]> => {
    // Engines repeat a URL (sitelinks, news boxes); one source per URL.
    const byUrl = new Map<string, SearchHit>();
    for (const hit of hits) if (hit.url.length <= URL_MAX && !byUrl.has(hit.url)) byUrl.set(hit.url, hit);
    return Promise.all([...byUrl.values()].map((hit) => toSource(hit, query)));
  };
}
