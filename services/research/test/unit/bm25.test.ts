import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopic, profileText } from '@pressroom/text';
import type { CorpusDocument } from '../../src/search/corpus-loader.ts';
import { createBm25Index } from '../../src/search/bm25.ts';
import { snippet as snippetOf } from '../../src/search/snippet.ts';

function doc(id: string, title: string, text: string): CorpusDocument {
  return { id, title, url: `file:///corpus/${id}`, text };
}

const docs = [
  doc('a', 'Apples', 'apple orchard apple harvest in autumn'),
  doc('b', 'Bananas', 'banana plantation tropical fruit'),
  doc('c', 'Fruit salad', 'apple banana cherry mixed together'),
  doc('d', 'Cherries', 'cherry blossom cherry tree'),
];

describe('createBm25Index', () => {
  const index = createBm25Index(docs);

  it('matches the Okapi BM25 formula for a single term', () => {
    // "banana": n = 2 of N = 4; doc b has tf 2 (title x2) + 1 = 3 and length 2 + 4 = 6;
    // lengths are a 2+5, b 2+4, c 4+5, d 2+4 ("in" is a stopword), so avgdl = 28 / 4 = 7.
    const idf = Math.log(1 + (4 - 2 + 0.5) / (2 + 0.5));
    const expected = (idf * 3 * 2.2) / (3 + 1.2 * (1 - 0.75 + (0.75 * 6) / 7));
    const top = index.search('banana', 10)[0];
    assert.equal(top?.doc.id, 'b');
    assert.ok(Math.abs((top?.score ?? 0) - expected) < 1e-12);
  });

  it('ranks documents with more matching terms higher', () => {
    assert.deepEqual(index.search('apple banana cherry', 10).map((hit) => hit.doc.id)[0], 'c');
  });

  it('weights title terms above body terms', () => {
    const index2 = createBm25Index([doc('body', 'Other', 'kiwi note'), doc('title', 'Kiwi', 'other note')]);
    assert.deepEqual(
      index2.search('kiwi', 10).map((hit) => hit.doc.id),
      ['title', 'body'],
    );
  });

  it('returns only positive scores, sorted descending, capped by limit', () => {
    const hits = index.search('cherry', 10);
    assert.deepEqual(
      hits.map((hit) => hit.doc.id),
      ['d', 'c'],
    );
    assert.ok(hits.every((hit) => hit.score > 0));
    assert.equal(index.search('cherry', 1).length, 1);
    assert.deepEqual(index.search('cherry', 0), []);
    assert.deepEqual(index.search('durian', 10), []);
    assert.deepEqual(index.search('the of and', 10), []);
  });

  it('breaks score ties by id', () => {
    const tied = createBm25Index([doc('z', 'Same', 'word'), doc('m', 'Same', 'word'), doc('q', 'Same', 'word')]);
    assert.deepEqual(
      tied.search('word', 10).map((hit) => hit.doc.id),
      ['m', 'q', 'z'],
    );
  });

  it('uses stemming so query and document forms meet', () => {
    assert.equal(index.search('apples harvesting', 10)[0]?.doc.id, 'a');
  });

  it('honours k1 and b options and rejects invalid ones', () => {
    const flat = createBm25Index(docs, { k1: 0 });
    const scores = flat.search('cherry', 10).map((hit) => hit.score);
    // With k1 = 0 term frequency saturates immediately, so both docs get exactly the idf.
    assert.equal(scores[0], scores[1]);
    assert.throws(() => createBm25Index(docs, { b: 1.5 }), RangeError);
    assert.throws(() => createBm25Index(docs, { k1: -1 }), RangeError);
  });

  it('handles an empty corpus', () => {
    assert.deepEqual(createBm25Index([]).search('anything', 5), []);
  });
});

describe('snippet', () => {
  const snippet = (text: string, query: string, maxChars: number) => snippetOf(profileText('', text), parseTopic(query).terms, maxChars);
  const text = 'Bread is ancient. Wheat grows in fields.\n\nA sourdough starter holds wild yeast. It needs feeding daily. Ovens bake loaves.';

  it('picks the sentence window containing the query terms', () => {
    assert.equal(snippet(text, 'sourdough starter', 40), 'A sourdough starter holds wild yeast.');
  });

  it('prefers windows covering more distinct terms', () => {
    assert.equal(snippet(text, 'starter feeding', 80), 'A sourdough starter holds wild yeast. It needs feeding daily. Ovens bake loaves.');
  });

  it('never exceeds maxChars and marks truncation', () => {
    const long = `${'word '.repeat(50)}target term here ${'tail '.repeat(50)}.`;
    const result = snippet(long, 'target', 60);
    assert.ok(result.length <= 60, `${result.length} chars`);
    assert.ok(result.includes('target'));
    assert.ok(result.startsWith('…') && result.endsWith('…'));
  });

  it('falls back to the opening text when nothing matches', () => {
    assert.equal(snippet(text, 'zebra', 20), 'Bread is ancient.');
    assert.equal(snippet('', 'zebra', 20), '');
  });
});
