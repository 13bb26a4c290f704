import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { citesASource, keepValidCitations } from '../../src/article/citations.ts';
import { finalizeArticle } from '../../src/article/finalize-article.ts';
import { aSource, someSources } from '../support/factories.ts';

const draft = (body: string, extra: Partial<{ title: string; summary: string }> = {}) => ({
  title: 'Solar Power',
  summary: 'About panels [1].',
  body_markdown: body,
  ...extra,
});

describe('article post-processing', () => {
  it('when the body cites sources that do not exist, then those citations are dropped and valid ones kept', () => {
    const article = finalizeArticle(draft('Panels convert light [1]. Batteries store it [2]. Fusion is near [7]. Zero [0].'), someSources(), 'solar');
    assert.match(article.body_markdown, /^Panels convert light \[1\]\. Batteries store it \[2\]\. Fusion is near\. Zero\./);
  });

  it('when citations are grouped, then valid numbers are kept as separate brackets', () => {
    assert.equal(keepValidCitations('Claim [1, 3, 2].', 2), 'Claim [1][2].');
    assert.equal(keepValidCitations('Claim [3, 4].', 2), 'Claim.');
  });

  it('when a bracketed number is a Markdown link text, then it is left alone', () => {
    assert.equal(keepValidCitations('See [9](https://x.test).', 2), 'See [9](https://x.test).');
  });

  it('when brackets appear in code, then they are not treated as citations', () => {
    assert.equal(keepValidCitations('Use `arr[7]` and\n```\nx = y[9]\n```\n', 2), 'Use `arr[7]` and\n```\nx = y[9]\n```\n');
  });

  it('when citations are adjacent, then each is judged on its own', () => {
    assert.equal(keepValidCitations('Claim [1][7][2].', 2), 'Claim [1][2].');
  });

  it('when a text is checked for citations, then only a bracketed number of an existing source outside code counts', () => {
    assert.equal(citesASource('Claim [2].', 2), true);
    assert.equal(citesASource('Claim [1, 3].', 2), true);
    assert.equal(citesASource('Claim [3]. See [1](https://x.test). Use `a[1]`.', 2), false);
    assert.equal(citesASource('No citation at all.', 2), false);
  });

  it('when the body lacks a sources list, then a numbered "## Sources" list of the task sources is appended', () => {
    const article = finalizeArticle(draft('Body [1].'), someSources(), 'solar');
    assert.ok(
      article.body_markdown.endsWith(
        '## Sources\n\n1. [How Solar Panels Turn Light into Electricity](https://example.org/solar)\n2. [Solar Power at Home](https://example.net/home-solar)\n',
      ),
    );
  });

  it('when the writer wrote its own list of sources, then it is replaced by the task sources (one list, none of its URLs)', () => {
    const article = finalizeArticle(
      draft('Body [1].\n\n## References\n\n1. [A](https://a.test)\n2. https://made-up.test\n\n## Sources:\n\n- [B](https://b.test)'),
      someSources(),
      'solar',
    );
    assert.equal(article.body_markdown.match(/^## (Sources|References)/gm)?.length, 1);
    assert.doesNotMatch(article.body_markdown, /a\.test|b\.test|made-up/);
    assert.match(article.body_markdown, /^Body \[1\]\.\n\n## Sources\n\n1\. \[How Solar Panels Turn Light into Electricity\]\(https:\/\/example\.org\/solar\)/);
  });

  it("when a section follows the writer's list of sources, then only the list goes", () => {
    const article = finalizeArticle(draft('Intro [1].\n\n### Sources\n\n- x\n\n## Outlook\n\nMore [2].'), someSources(), 'solar');
    assert.match(article.body_markdown, /^Intro \[1\]\.\n\n## Outlook\n\nMore \[2\]\.\n\n## Sources\n/);
  });

  it('when the body links or embeds URLs that are not sources, then the links keep their text and the images go; source links and code stay', () => {
    const article = finalizeArticle(
      draft(
        'See [the study](https://example.org/solar) and [this offer](https://evil.test/buy "Buy") [1]. ![pixel](https://evil.test/p.gif) <https://evil.test/x> `[a](https://evil.test/code)`\n\n[ref]: https://evil.test/ref',
      ),
      someSources(),
      'solar',
    );
    assert.doesNotMatch(article.body_markdown.replace(/`[^`]*`/g, ''), /evil\.test/);
    assert.match(article.body_markdown, /See \[the study\]\(https:\/\/example\.org\/solar\) and this offer \[1\]\./);
    assert.match(article.body_markdown, /`\[a\]\(https:\/\/evil\.test\/code\)`/, 'code is left as written');
  });

  it('when a link is written the other ways CommonMark allows (nested brackets, a line break, <URL>, a (title)), then it is unlinked all the same; citations and relative links stay', () => {
    const body = [
      'A [nested [bracket] link](https://evil.test/a) and [a link\nover two lines](https://evil.test/b).',
      '![x](<https://evil.test/a b.png>) and [titled](https://evil.test/c (title)) [1].',
      'A year [3](2021) and [2] alone.',
      '[2]: The study says so.',
    ].join('\n');
    const article = finalizeArticle(draft(body), someSources(), 'solar');
    assert.doesNotMatch(article.body_markdown, /evil\.test/);
    assert.match(article.body_markdown, /A nested \[bracket\] link and a link\nover two lines\./);
    assert.match(article.body_markdown, /and titled \[1\]\./);
    assert.match(article.body_markdown, /A year \[3\]\(2021\) and \[2\] alone\./, 'not an absolute URL: left as written');
    assert.match(article.body_markdown, /^\[2\]: The study says so\.$/m, 'not a reference definition');
  });

  it('when the body starts with the title as a level-one heading, then that heading is removed', () => {
    const article = finalizeArticle(draft('# Solar Power\n\nIntro [1].'), someSources(), 'solar');
    assert.match(article.body_markdown, /^Intro \[1\]\./);
  });

  it('when a source title holds brackets or its URL parentheses, then the list entry stays valid Markdown', () => {
    const article = finalizeArticle(draft('Body.'), [aSource({ title: 'Solar [PDF]', url: 'https://x.test/a_(b)' })], 'solar');
    assert.match(article.body_markdown, /1\. \[Solar \\\[PDF\\\]\]\(<https:\/\/x\.test\/a_\(b\)>\)/);
  });

  it('when the article is built, then its sources are the task sources (title and url), its summary cleaned too', () => {
    const article = finalizeArticle(draft('Body.', { summary: 'Sum [1] and [5].' }), someSources(), 'solar');
    assert.deepEqual(
      article.sources,
      someSources().map((s) => ({ title: s.title, url: s.url })),
    );
    assert.equal(article.summary, 'Sum [1] and.');
  });

  it('when the title is only heading marks, then the topic in title case stands in', () => {
    assert.equal(finalizeArticle(draft('Body.', { title: '## ' }), someSources(), 'rooftop solar power').title, 'Rooftop Solar Power');
  });
});
