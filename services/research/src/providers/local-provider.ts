import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { isAbout, parseTopic, profileText } from '@pressroom/text';
import { createBm25Index } from '../search/bm25.ts';
import { loadCorpus } from '../search/corpus-loader.ts';
import { snippet } from '../search/snippet.ts';
import type { SearchProvider, SearchResult } from './search-provider.ts';

const DEFAULT_CORPUS_DIR = resolve(import.meta.dirname, '../../corpus');
const SNIPPET_CHARS = 300;
const MEMO_ENTRIES = 1000;

/**
 * BM25 over a folder of documents, indexed once at start-up. BM25 ranks every document that shares a word
 * with the topic; only those about the topic (libs/text `isAbout`) are returned. Hits carry the document
 * text, so nothing is fetched. A missing folder fails start-up: a worker that can never find anything
 * should not take tasks.
 */
export async function createLocalProvider(dir = DEFAULT_CORPUS_DIR): Promise<SearchProvider> {
  const docs = await loadCorpus(dir);
  const index = createBm25Index(docs);
  // Words and sentences of every document, once: a search then only counts terms, it tokenizes nothing.
  const profiles = new Map(docs.map((doc) => [doc, profileText(doc.title, doc.text)]));
  // The index never changes after start-up, so a query's result never goes stale: popular topics are
  // answered from memory. Bounded, oldest first out.
  const memo = new Map<string, SearchResult>();
  return {
    name: 'local',
    // The corpus's content, not its path: an edited corpus answers differently, the same one moved does not.
    cacheScope: docs
      .reduce((h, doc) => h.update(doc.url).update('\0').update(doc.text).update('\0'), createHash('sha256'))
      .digest('hex')
      .slice(0, 16),
    async search(query, limit) {
      const key = `${limit}:${query.toLowerCase()}`;
      const known = memo.get(key);
      if (known) return known;
      const topic = parseTopic(query);
      const candidates = index.search(query, docs.length);
      const relevant = candidates.flatMap(({ doc }) => {
        const profile = profiles.get(doc);
        return profile && isAbout(topic, profile) ? [{ doc, profile }] : [];
      });
      const hits = relevant
        .slice(0, limit)
        .map(({ doc, profile }) => ({ title: doc.title, url: doc.url, snippet: snippet(profile, topic.terms, SNIPPET_CHARS), text: doc.text }));
      const result = { hits, offTopic: candidates.length - relevant.length };
      if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
      memo.set(key, result);
      return result;
    },
  };
}
