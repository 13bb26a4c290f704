import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markdownToHtml } from '../../src/render/markdown-to-html.ts';

describe('markdown to html', () => {
  it('when given headings, paragraphs and lists, then it renders the matching elements', () => {
    const html = markdownToHtml('# Title\n\nFirst line\nsecond line.\n\n## Part\n\n- one\n- two\n\n1. a\n2. b\n');
    assert.equal(html, '<h1>Title</h1>\n<p>First line\nsecond line.</p>\n<h2>Part</h2>\n<ul><li>one</li><li>two</li></ul>\n<ol><li>a</li><li>b</li></ol>');
  });

  it('when given links and emphasis, then it renders anchors, strong, em and code', () => {
    const html = markdownToHtml('See [NOAA](https://noaa.gov/a?x=1&y=2) and **bold**, *em*, _em2_, snake_case_name and `a*b*c`.');
    assert.equal(html, '<p>See <a href="https://noaa.gov/a?x=1&amp;y=2">NOAA</a> and <strong>bold</strong>, <em>em</em>, <em>em2</em>, snake_case_name and <code>a*b*c</code>.</p>');
  });

  it('when the article contains HTML, then it is escaped, never passed through', () => {
    const html = markdownToHtml('Hi <script>alert("x")</script>\n\n# <img src=x onerror=alert(1)>');
    assert.ok(!html.includes('<script'));
    assert.ok(!html.includes('<img'));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  });

  it('when a link has an unsafe scheme or tries to break its attribute, then no live attribute is produced', () => {
    assert.equal(markdownToHtml('[click](javascript:alert(1))'), '<p>[click](javascript:alert(1))</p>');
    assert.equal(markdownToHtml('[x](javascript:alert`1`)'), '<p>x</p>');
    const html = markdownToHtml('[x](https://a.test/"onmouseover="alert(1))');
    assert.ok(!/href="[^"]*"\s*onmouseover/.test(html), html);
  });

  it('when given a fenced code block, then its content is escaped and not formatted', () => {
    assert.equal(markdownToHtml('```\n<b>**x**</b>\n```'), '<pre><code>&lt;b&gt;**x**&lt;/b&gt;</code></pre>');
  });

  it('when the text contains the internal code-span marker, then it cannot smuggle markup in', () => {
    assert.equal(markdownToHtml('a \uE0000\uE000 `<b>`'), '<p>a 0 <code>&lt;b&gt;</code></p>');
  });
});
