import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { finalizeArticle } from '../../src/article/finalize-article.ts';
import { writeExtractive } from '../../src/providers/local-writer.ts';
import { titleCase } from '../../src/text/title-case.ts';
import { aBrief, aSource, someSources } from '../support/factories.ts';

const citations = (markdown: string) => [...markdown.matchAll(/\[(\d+)\](?!\()/g)].map((m) => Number(m[1]));

describe('local extractive writer', () => {
  it('when given the same input twice, then the output is byte-identical', () => {
    const a = JSON.stringify(writeExtractive({ brief: aBrief(), sources: someSources() }));
    const b = JSON.stringify(writeExtractive({ brief: aBrief(), sources: someSources() }));
    assert.equal(a, b);
  });

  it('when it writes, then every citation references an existing source and every source is cited', () => {
    const sources = someSources();
    const { draft } = writeExtractive({ brief: aBrief(), sources });
    const cited = citations(draft.body_markdown);
    assert.ok(cited.length > 0);
    assert.ok(cited.every((n) => n >= 1 && n <= sources.length));
    assert.deepEqual([...new Set(cited)].sort(), [1, 2]);
  });

  it('when it writes, then the body has an intro, one section per source, and a sources list', () => {
    const { draft } = writeExtractive({ brief: aBrief(), sources: someSources() });
    const headings = [...draft.body_markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(headings, ['How Solar Panels Turn Light into Electricity', 'Solar Power at Home', 'Sources']);
    assert.match(draft.body_markdown, /^This article brings together what 2 sources say about how solar panels work\./);
    assert.match(draft.body_markdown, /\n1\. \[How Solar Panels Turn Light into Electricity\]\(https:\/\/example\.org\/solar\)\n2\. /);
  });

  it('when it picks sentences, then the most topical ones win and off-topic ones are left out', () => {
    const { draft } = writeExtractive({ brief: aBrief({ length: 'short' }), sources: [aSource()] });
    assert.doesNotMatch(draft.body_markdown, /Rainfall/);
    assert.match(draft.summary, /solar panel is an array of photovoltaic cells/);
    assert.equal(draft.summary.split(/(?<=\.) /).length, 2);
  });

  it('when the length grows, then each section carries more sentences (2 short, 4 long)', () => {
    const count = (length: 'short' | 'long') => {
      const body = writeExtractive({ brief: aBrief({ length }), sources: [aSource()] }).draft.body_markdown;
      return citations(body.split('## ')[1] ?? '').length;
    };
    assert.equal(count('short'), 2);
    assert.equal(count('long'), 4);
  });

  it('when the article is finalized, then post-processing keeps the writer output and adds no second sources list', () => {
    const sources = someSources();
    const { draft } = writeExtractive({ brief: aBrief(), sources });
    const article = finalizeArticle(draft, sources, aBrief().topic);
    assert.equal(article.body_markdown.match(/## Sources/g)?.length, 1);
    assert.equal(article.title, 'How Solar Panels Work');
  });

  it('when a source has no usable text, then its section is skipped rather than emptied', () => {
    const sources = [aSource(), aSource({ title: 'Empty', text: '', snippet: '' })];
    const { draft } = writeExtractive({ brief: aBrief(), sources });
    assert.doesNotMatch(draft.body_markdown, /## Empty/);
  });
});

describe('title case', () => {
  it('when a topic is lower case, then major words are capitalised and minor ones kept low except at the ends', () => {
    assert.equal(titleCase('the history of printing presses'), 'The History of Printing Presses');
    assert.equal(titleCase('what to compost with'), 'What to Compost With');
  });

  it('when a word already has capitals or hyphens, then names survive and each part is capitalised', () => {
    assert.equal(titleCase('TCP congestion control in PostgreSQL-backed long-term apps.'), 'TCP Congestion Control in PostgreSQL-Backed Long-Term Apps');
  });
});
