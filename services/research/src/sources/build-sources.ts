import { createHash } from 'node:crypto';
import type { JsonCache } from '@pressroom/cache';
import type { Source } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import { clip, isAbout, profileText, type Topic } from '@pressroom/text';
import type { PageFetcher } from '../extract/page-fetcher.ts';
import type { SearchHit } from '../providers/search-provider.ts';
import { snippet } from '../search/snippet.ts';
import { canonicalUrl } from './canonical-url.ts';

// Source text rides inside every write task and LLM prompt, so it is capped well below the schema's 20000.
export const TEXT_CHARS = 4000;
const SNIPPET_CHARS = 300;
// Schema limits (libs/contracts Source): a longer URL is dropped, since a truncated one points nowhere.
const TITLE_MAX = 500;
const SNIPPET_MAX = 2000;
const URL_MAX = 2048;

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** Why hits did not become sources, counted by reason: `off_topic`, `duplicate`, `url_too_long`, or a fetch failure's code. */
export type DropCounts = Record<string, number>;

export interface BuiltSources {
  sources: Source[];
  dropped: DropCounts;
  /** Drops a retry could undo (a page that timed out or answered 503). */
  transientDrops: number;
  /** Distinct pages the hits named: what the search offered. */
  offered: number;
}

export interface SourceBuilderDeps {
  fetchPage: PageFetcher;
  pageCache: JsonCache<string> | undefined;
  logger: Logger;
}

type Outcome = { source: Source } | { dropped: string; transient: boolean };

/**
 * Turns search hits into at most `limit` sources about the topic. Hits without text get their page fetched
 * (in parallel, through the page cache) and judged by the same rule as the local corpus, on the text the
 * writer will see; a page that cannot be fetched or read is skipped, never replaced by its search snippet.
 * Hits are de-duplicated by canonical URL before fetching and by text after. Pages are taken in the search's
 * order, as many at a time as sources are still missing: the hits past `limit` are spares, fetched only for
 * pages that were dropped (a 403, a PDF, robots.txt, off the topic), so a few such pages no longer fail the request.
 */
export function createSourceBuilder(deps: SourceBuilderDeps) {
  async function pageText(url: string): Promise<string> {
    const fetch = async () => clip(await deps.fetchPage(url), TEXT_CHARS);
    if (!deps.pageCache) return fetch();
    return (await deps.pageCache.getOrCompute(hash(url), fetch)).value;
  }

  function toSource(hit: SearchHit, text: string, summary: () => string): Source {
    return { title: clip(hit.title, TITLE_MAX), url: hit.url, snippet: clip(hit.snippet || summary(), SNIPPET_MAX), text: clip(text, TEXT_CHARS) };
  }

  async function judge(hit: SearchHit, topic: Topic): Promise<Outcome> {
    // The local corpus judged its own documents while searching.
    if (hit.text !== undefined) return { source: toSource(hit, hit.text, () => '') };
    let text: string;
    try {
      text = await pageText(hit.url);
    } catch (err) {
      // One line, no stack: a dead link among search results is routine, not a fault in this worker.
      const { code, message, transient } = err as { code?: unknown; message?: unknown; transient?: unknown };
      const reason = typeof code === 'string' ? code : 'fetch_failed';
      deps.logger.warn({ url: hit.url, code: reason, reason: message }, 'page skipped: it could not be fetched or read');
      return { dropped: reason, transient: transient !== false };
    }
    const profile = profileText(hit.title, text);
    if (!isAbout(topic, profile)) {
      deps.logger.debug({ url: hit.url }, 'page skipped: not about the topic');
      return { dropped: 'off_topic', transient: false };
    }
    return { source: toSource(hit, text, () => snippet(profile, topic.terms, SNIPPET_CHARS)) };
  }

  return async (hits: SearchHit[], topic: Topic, limit = hits.length): Promise<BuiltSources> => {
    const dropped: DropCounts = {};
    const drop = (reason: string) => (dropped[reason] = (dropped[reason] ?? 0) + 1);
    // Engines repeat a page (sitelinks, news boxes, http and https); one source per page.
    const byPage = new Map<string, SearchHit>();
    for (const hit of hits) {
      const key = canonicalUrl(hit.url);
      if (hit.url.length > URL_MAX) drop('url_too_long');
      else if (byPage.has(key)) drop('duplicate');
      else byPage.set(key, hit);
    }
    const pages = [...byPage.values()];
    const sources: Source[] = [];
    const texts = new Set<string>();
    let transientDrops = 0;
    for (let next = 0; sources.length < limit && next < pages.length;) {
      const batch = pages.slice(next, next + limit - sources.length);
      next += batch.length;
      for (const outcome of await Promise.all(batch.map((hit) => judge(hit, topic)))) {
        if ('dropped' in outcome) {
          drop(outcome.dropped);
          if (outcome.transient) transientDrops++;
        } else if (texts.has(outcome.source.text)) drop('duplicate');
        else {
          texts.add(outcome.source.text);
          sources.push(outcome.source);
        }
      }
    }
    return { sources, dropped, transientDrops, offered: byPage.size };
  };
}
