import { resolve } from 'node:path';
import { createBm25Index } from '../search/bm25.ts';
import { loadCorpus } from '../search/corpus-loader.ts';
import { snippet } from '../search/snippet.ts';
import type { SearchProvider } from './search-provider.ts';

export const DEFAULT_CORPUS_DIR = resolve(import.meta.dirname, '../../corpus');
const SNIPPET_CHARS = 300;

/**
 * BM25 over a folder of documents, indexed once at start-up. Hits carry the document text, so nothing is
 * fetched. A missing folder fails start-up: a worker that can never find anything should not take tasks.
 */
export async function createLocalProvider(dir = DEFAULT_CORPUS_DIR): Promise<SearchProvider> {
  const docs = await loadCorpus(dir);
  const index = createBm25Index(docs);
  return {
    name: 'local',
    async search(query, limit) {
      return index.search(query, limit).map(({ doc }) => ({ title: doc.title, url: doc.url, snippet: snippet(doc.text, query, SNIPPET_CHARS), text: doc.text }));
    },
  };
}
