import { permanentError } from '@pressroom/contracts';
import type { SearchHit } from './search-provider.ts';

function badResponse(provider: string, why: string): Error {
  return permanentError('bad_provider_response', `${provider} search answered 200 with an unexpected body: ${why}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The result list at `path` in a provider's JSON body. `optional` providers omit the list when nothing
 * matched (Google drops `items`, Brave drops `web`), so absence there means zero results, not a broken body.
 */
export function resultList(provider: string, body: unknown, path: string[], optional = false): unknown[] {
  if (!isObject(body)) throw badResponse(provider, 'not a JSON object');
  let node: unknown = body;
  for (const key of path) {
    if (!isObject(node) || !(key in node)) {
      if (optional) return [];
      throw badResponse(provider, `missing ${path.join('.')}`);
    }
    node = node[key];
  }
  if (!Array.isArray(node)) throw badResponse(provider, `${path.join('.')} is not an array`);
  return node;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '');

/**
 * Maps raw items to hits by field names. Items without an http(s) URL are skipped rather than failing the
 * whole search: one odd entry (a knowledge panel, a relative link) should not cost the other results.
 */
export function toHits(items: unknown[], fields: { title: string; url: string; snippet: string }, clean: (s: string) => string = (s) => s): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const item of items) {
    if (!isObject(item)) continue;
    const url = text(item[fields.url]);
    if (!/^https?:\/\//i.test(url)) continue;
    hits.push({ title: clean(text(item[fields.title])) || url, url, snippet: clean(text(item[fields.snippet])) });
  }
  return hits;
}
