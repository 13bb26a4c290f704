import { resolve } from 'node:path';
import { createBm25Index } from '../search/bm25.ts';
import { loadCorpus } from '../search/corpus-loader.ts';
import { snippet } from '../search/snippet.ts';
import type { SearchHit, SearchProvider } from './search-provider.ts';

export const DEFAULT_CORPUS_DIR = resolve(import.meta.dirname, '../../corpus');
const SNIPPET_CHARS = 300;
const MEMO_ENTRIES = 1000;

/**
 * BM25 over a folder of documents, indexed once at start-up. Hits carry the document text, so nothing is
 * fetched. A missing folder fails start-up: a worker that can never find anything should not take tasks.
 */
export async function createLocalProvider(dir = DEFAULT_CORPUS_DIR): Promise<SearchProvider> {
  const docs = await loadCorpus(dir);
  const index = createBm25Index(docs);
  // The index never changes after start-up, so a query's hits never go stale: popular topics are answered
  // from memory instead of re-scoring and re-tokenising every document's sentences for the snippet (most of
  // this worker's CPU per task). Bounded, oldest first out.
  const memo = new Map<string, SearchHit[]>();
  return {
    name: 'local',
    async search(query, limit) {
      const key = `${limit}:${query.toLowerCase()}`;
      const known = memo.get(key);
      if (known) return known;
      const hits = index.search(query, limit).map(({ doc }) => ({ title: doc.title, url: doc.url, snippet: snippet(doc.text, query, SNIPPET_CHARS), text: doc.text }));
      if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
      memo.set(key, hits);
      return hits;
    },
  };
}
