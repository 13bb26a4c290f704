import { tokenize } from '@pressroom/text';
import type { CorpusDocument } from './corpus-loader.ts';

export type Bm25Options = { k1?: number; b?: number };
type ScoredDocument = { doc: CorpusDocument; score: number };
export type Bm25Index = { search(query: string, limit: number): ScoredDocument[] };

// Title terms count as if they appeared this many times in the body.
const TITLE_WEIGHT = 2;

type Posting = { doc: number; tf: number };

export function createBm25Index(docs: CorpusDocument[], opts: Bm25Options = {}): Bm25Index {
  const k1 = opts.k1 ?? 1.2;
  const b = opts.b ?? 0.75;
  if (!(k1 >= 0)) throw new RangeError(`k1 must be >= 0, got ${k1}`);
  if (!(b >= 0 && b <= 1)) throw new RangeError(`b must be within [0, 1], got ${b}`);

  const snapshot = [...docs];
  const lengths: number[] = [];
  const postings = new Map<string, Posting[]>();
  snapshot.forEach((doc, index) => {
    const tf = new Map<string, number>();
    const add = (tokens: string[], weight: number): void => {
      for (const token of tokens) tf.set(token, (tf.get(token) ?? 0) + weight);
    };
    const titleTokens = tokenize(doc.title);
    const textTokens = tokenize(doc.text);
    add(titleTokens, TITLE_WEIGHT);
    add(textTokens, 1);
    lengths.push(titleTokens.length * TITLE_WEIGHT + textTokens.length);
    for (const [term, count] of tf) {
      const list = postings.get(term) ?? [];
      list.push({ doc: index, tf: count });
      postings.set(term, list);
    }
  });

  const n = snapshot.length;
  const avgLength = lengths.reduce((sum, len) => sum + len, 0) / n || 1;

  function search(query: string, limit: number): ScoredDocument[] {
    if (!(limit > 0)) return [];
    const scores = new Map<number, number>();
    // Repeating a word in the query should not multiply its weight.
    for (const term of new Set(tokenize(query))) {
      const list = postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        const norm = k1 * (1 - b + (b * (lengths[doc] ?? 0)) / avgLength);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (k1 + 1)) / (tf + norm));
      }
    }
    const hits: ScoredDocument[] = [];
    for (const [index, score] of scores) {
      const doc = snapshot[index];
      if (doc && score > 0) hits.push({ doc, score });
    }
    hits.sort((x, y) => y.score - x.score || (x.doc.id < y.doc.id ? -1 : x.doc.id > y.doc.id ? 1 : 0));
    return hits.slice(0, Math.floor(limit));
  }

  return { search };
}
