import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markdownToHtml } from '../../src/render/markdown-to-html.ts';

const sources = [
  { title: 'NOAA "tides"', url: 'https://oceanservice.noaa.gov/tides' },
  { title: 'Tide tables', url: 'https://tides.example.test/tables?port=1&day=2' },
];

describe('markdown to html', () => {
  it('when given headings, paragraphs and lists, then it renders the matching elements', () => {
    const html = markdownToHtml('# Title\n\nFirst line\nsecond line.\n\n## Part\n\n- one\n- two\n\n1. a\n2. b\n');
    assert.equal(
      html,
      '<h1>Title</h1>\n<p>First line\nsecond line.</p>\n<h2>Part</h2>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n',
    );
  });

  it('when given blockquotes, tables, nested lists and hard breaks, then it renders them (CommonMark and GFM tables)', () => {
    const html = markdownToHtml('> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n1. x\n   - nested\n\nline  \nbreak');
    assert.equal(
      html,
      '<blockquote>\n<p>quoted</p>\n</blockquote>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n<ol>\n<li>x\n<ul>\n<li>nested</li>\n</ul>\n</li>\n</ol>\n<p>line<br>\nbreak</p>\n',
    );
  });

  it('when given links and emphasis, then it renders anchors, strong, em and code', () => {
    const html = markdownToHtml('See [NOAA](https://noaa.gov/a?x=1&y=2) and **bold**, *em*, _em2_, snake_case_name and `a*b*c`.');
    assert.equal(
      html,
      '<p>See <a href="https://noaa.gov/a?x=1&amp;y=2">NOAA</a> and <strong>bold</strong>, <em>em</em>, <em>em2</em>, snake_case_name and <code>a*b*c</code>.</p>\n',
    );
  });

  it('when the article contains HTML, then it is escaped, never passed through', () => {
    const html = markdownToHtml('Hi <script>alert("x")</script>\n\n# <img src=x onerror=alert(1)>\n\n<div onclick="x()">block</div>');
    assert.ok(!/<(script|img|div)/.test(html), html);
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('&lt;div onclick=&quot;x()&quot;&gt;block&lt;/div&gt;'));
  });

  it('when a link or autolink is not http(s) or mailto, then no anchor is produced', () => {
    assert.equal(markdownToHtml('[click](javascript:alert(1))'), '<p>[click](javascript:alert(1))</p>\n');
    assert.equal(
      markdownToHtml('<javascript:alert(1)> [d](data:text/html,x) [r](/relative) [v](vbscript:x)'),
      '<p>&lt;javascript:alert(1)&gt; [d](data:text/html,x) [r](/relative) [v](vbscript:x)</p>\n',
    );
    assert.equal(
      markdownToHtml('<https://ok.test/> [mail](mailto:desk@news.test)'),
      '<p><a href="https://ok.test/">https://ok.test/</a> <a href="mailto:desk@news.test">mail</a></p>\n',
    );
    const html = markdownToHtml('[x](https://a.test/"onmouseover="alert(1))');
    assert.ok(!/href="[^"]*"\s*onmouseover/.test(html), html);
  });

  it('when the article has an image, then no <img> is rendered (no remote content in a post)', () => {
    assert.ok(!markdownToHtml('![pixel](https://tracker.test/p.gif)').includes('<img'));
  });

  it('when the body cites [n], then each citation links to source n, and a number without a source stays text', () => {
    const html = markdownToHtml('The moon pulls the sea [1][2], not [3]; see [1](https://x.test) and `[1]`.', { sources });
    assert.equal(
      html,
      '<p>The moon pulls the sea <a href="https://oceanservice.noaa.gov/tides" class="citation" title="NOAA &quot;tides&quot;">[1]</a>' +
        '<a href="https://tides.example.test/tables?port=1&amp;day=2" class="citation" title="Tide tables">[2]</a>, not [3]; ' +
        'see <a href="https://x.test">1</a> and <code>[1]</code>.</p>\n',
    );
  });

  it('when a source URL is not http(s), then its citation stays text', () => {
    assert.equal(markdownToHtml('Claim [1].', { sources: [{ title: 'x', url: 'javascript:alert(1)' }] }), '<p>Claim [1].</p>\n');
  });

  it('when given a fenced code block, then its content is escaped and not formatted', () => {
    assert.equal(markdownToHtml('```\n<b>**x**</b>\n```'), '<pre><code>&lt;b&gt;**x**&lt;/b&gt;\n</code></pre>\n');
  });
});
