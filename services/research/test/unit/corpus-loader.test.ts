import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CorpusDocument } from '../../src/search/corpus-loader.ts';
import { loadCorpus, markdownToText } from '../../src/search/corpus-loader.ts';
import { createBm25Index } from '../../src/search/bm25.ts';

const corpusDir = fileURLToPath(new URL('../../corpus/', import.meta.url));

describe('loadCorpus on the sample corpus', () => {
  let docs: CorpusDocument[] = [];
  before(async () => {
    docs = await loadCorpus(corpusDir);
  });

  it('loads at least 30 documents with titles, text and file URLs', () => {
    assert.ok(docs.length >= 30, `only ${docs.length} documents`);
    for (const doc of docs) {
      assert.ok(doc.title.trim().length > 0, `${doc.id} has no title`);
      assert.ok(doc.text.split(/\s+/).length >= 200, `${doc.id} text is too short`);
      assert.ok(doc.url.startsWith('file:///') && doc.url.endsWith(doc.id), doc.url);
      assert.ok(!/^#|<\/?[a-z]+>|\*\*/m.test(doc.text), `${doc.id} still contains markup`);
    }
  });

  it('returns documents sorted by id, skipping the license file', () => {
    const ids = docs.map((doc) => doc.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(!ids.includes('LICENSE.md'));
  });

  it('extracts titles from each format', () => {
    const byId = new Map(docs.map((doc) => [doc.id, doc]));
    assert.equal(byId.get('sourdough-baking.md')?.title, 'Sourdough Baking: Starters, Fermentation and Crumb');
    assert.equal(byId.get('jazz-history.html')?.title, 'A Brief History of Jazz');
    assert.equal(byId.get('knitting-basics.txt')?.title, 'Knitting Basics: Stitches, Yarn and Gauge');
    const jazz = byId.get('jazz-history.html')?.text ?? '';
    assert.ok(jazz.includes('Louis Armstrong’s recordings'));
    assert.ok(!jazz.includes('newsletter') && !jazz.includes('trackPageView') && !jazz.includes('rights reserved'));
  });

  const cases: Array<[string, string]> = [
    ['sourdough starter', 'sourdough-baking.md'],
    ['congestion window slow start', 'tcp-congestion-control.md'],
    ['waggle dance foragers', 'honeybees.md'],
    ['B-tree index query planner', 'postgresql-indexing.md'],
    ['Gutenberg movable type', 'history-of-printing-presses.md'],
    ['event horizon', 'black-holes.md'],
    ['turbine blades offshore', 'wind-power.html'],
    ['oolong oxidation', 'tea-processing.html'],
    ['purl stitch gauge', 'knitting-basics.txt'],
  ];
  for (const [query, expected] of cases) {
    it(`ranks ${expected} first for "${query}"`, () => {
      const hits = createBm25Index(docs).search(query, 5);
      assert.equal(hits[0]?.doc.id, expected, hits.map((hit) => hit.doc.id).join(', '));
    });
  }
});

describe('loadCorpus on a temporary directory', () => {
  it('walks subdirectories, ignores other extensions and falls back to the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'corpus-'));
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'no-heading.md'), 'Just **text** here.\n');
    await writeFile(join(dir, 'notes.TXT'), '\n\nTitle Line\r\nBody one.\r\n\r\nBody two.\r\n');
    await writeFile(join(dir, 'image.png'), 'not text');
    await writeFile(join(dir, 'README.md'), '# Readme\n');
    const docs = await loadCorpus(dir);
    assert.deepEqual(
      docs.map((doc) => [doc.id, doc.title, doc.text]),
      [
        ['nested/no-heading.md', 'no heading', 'Just text here.'],
        ['notes.TXT', 'Title Line', 'Body one.\n\nBody two.'],
      ],
    );
  });
});

describe('markdownToText', () => {
  it('strips markdown syntax but keeps the words', () => {
    const md = '# Title\n\nSome *emphasis*, __strong__ and [a link](https://x.y).\n\n## Sub\n\n- item `code`\n> quote\n\n```\nfn(*x*)\n```\n';
    assert.deepEqual(markdownToText(md), {
      title: 'Title',
      text: 'Some emphasis, strong and a link.\n\nSub\n\nitem code\nquote\n\nfn(*x*)',
    });
  });

  it('leaves snake_case and arithmetic alone', () => {
    assert.equal(markdownToText('use snake_case_names and 2 * 3 * 4').text, 'use snake_case_names and 2 * 3 * 4');
  });
});
