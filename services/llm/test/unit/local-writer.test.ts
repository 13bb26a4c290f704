import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError } from '@pressroom/contracts';
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
    const more = ' Solar panels on a north-facing roof produce far less power in winter. Cleaning dusty solar panels restores some of their output.';
    const count = (length: 'short' | 'long') => {
      const body = writeExtractive({ brief: aBrief({ length }), sources: [aSource({ text: aSource().text + more })] }).draft.body_markdown;
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

describe('local extractive writer on a question', () => {
  const honeybees = aSource({
    title: 'The Life of a Honeybee Colony',
    url: 'file:///corpus/honeybees.md',
    text: [
      'The western honeybee lives in colonies that can number more than fifty thousand individuals in summer.',
      'Queen, workers and drones',
      'The queen is the only fully fertile female in a typical colony of bees.',
      'Communication and foraging',
      'Foragers share the location of good flowers through the waggle dance, performed on the vertical comb. The angle of the straight waggle run relative to vertical indicates the direction of the food source.',
      'Bees collect nectar for energy and pollen for protein, and carry pollen between flowers as they forage.',
      'Swarming and threats',
      'Colonies reproduce by swarming when the old queen leaves with a portion of the workers.',
    ].join('\n'),
  });
  const { draft } = writeExtractive({ brief: aBrief({ topic: 'How do honeybees communicate?', length: 'short' }), sources: [honeybees] });

  it('when the topic words sit in the title and a heading, then the paragraph under that heading is picked and the rest left out', () => {
    assert.match(draft.summary, /^Foragers share the location of good flowers through the waggle dance/);
    assert.match(draft.body_markdown, /waggle run relative to vertical indicates the direction of the food source \[1\]\./);
    assert.doesNotMatch(draft.body_markdown, /swarming|queen|nectar/i);
  });

  it('when the topic is a question, then the title is the question in title case and the framing quotes it', () => {
    assert.equal(draft.title, 'How Do Honeybees Communicate?');
    assert.match(draft.body_markdown, /^This article brings together what 1 source says about the question “How do honeybees communicate\?”\./);
  });

  it('when it writes, then every sentence taken from a source carries its citation', () => {
    const body = draft.body_markdown.split('\n## Sources')[0]!.replace(/^This article[^.]*\?”\.\s*/, '');
    const sentences = body
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .flatMap((l) => l.split(/(?<=\]\.) /));
    assert.ok(sentences.length > 0);
    for (const sentence of sentences) assert.match(sentence, /\[1\]\.$/, sentence);
  });

  it('when no source has a sentence about the topic, then it fails permanently with no_sources', () => {
    const err = (() => {
      try {
        writeExtractive({ brief: aBrief({ topic: 'tracing distributed systems' }), sources: [honeybees] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof TaskError);
    assert.equal(err.code, 'no_sources');
    assert.equal(err.transient, false);
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
