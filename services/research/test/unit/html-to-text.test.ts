import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntities, htmlToText } from '../../src/extract/html-to-text.ts';

const page = `<!DOCTYPE html><html><head><title> My  &amp; Page </title>
<style>p { color: red }</style><script>var secret = "tracking";</script></head>
<body><header>Site header</header><nav><a href="/">Home menu</a></nav>
<article><h1>Heading</h1><p>First   paragraph
spans lines.</p><p>Second <b>bold</b> paragraph.</p>
<script>alert("inline")</script></article>
<aside>Sidebar ad</aside><footer>Copyright footer</footer></body></html>`;

describe('htmlToText', () => {
  it('reads and decodes the <title>', () => {
    assert.equal(htmlToText(page).title, 'My & Page');
  });

  it('keeps article content and separates paragraphs with blank lines', () => {
    assert.equal(htmlToText(page).text, 'Heading\n\nFirst paragraph spans lines.\n\nSecond bold paragraph.');
  });

  it('drops boilerplate and non-content elements', () => {
    const { text } = htmlToText(page);
    for (const junk of ['tracking', 'inline', 'Site header', 'Home menu', 'Sidebar', 'Copyright', 'color']) {
      assert.ok(!text.includes(junk), `unexpected "${junk}" in ${JSON.stringify(text)}`);
    }
  });

  it('prefers <main> when there is no <article>, and falls back to <body>', () => {
    const main = htmlToText('<body><div>outside</div><main><p>inside main</p></main></body>');
    assert.equal(main.text, 'inside main');
    const body = htmlToText('<html><body><div>Just</div><div>body</div></body></html>');
    assert.equal(body.text, 'Just\n\nbody');
  });

  it('falls back to the first <h1> when there is no <title>', () => {
    assert.equal(htmlToText('<body><h1>Only <em>heading</em></h1><p>x</p></body>').title, 'Only heading');
    assert.equal(htmlToText('<p>no title</p>').title, '');
  });

  it('removes nested elements of a dropped tag completely', () => {
    const html = '<body><nav>a<nav>b</nav>c</nav><p>kept</p></body>';
    assert.equal(htmlToText(html).text, 'kept');
  });

  it('drops comments and unclosed scripts', () => {
    assert.equal(htmlToText('<p>yes<!-- no --></p><script>var x = 1;').text, 'yes');
  });

  it('decodes entities only after tags are stripped', () => {
    assert.equal(htmlToText('<p>&lt;b&gt;not bold&lt;/b&gt;</p>').text, '<b>not bold</b>');
  });

  it('turns <br> into a single line break', () => {
    assert.equal(htmlToText('<p>line one<br>line two</p>').text, 'line one\nline two');
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hex entities', () => {
    assert.equal(decodeEntities('&quot;a&quot; &mdash; &#169; &#x2019; &eacute;'), '"a" — © ’ é');
  });

  it('decodes only once and leaves unknown entities untouched', () => {
    assert.equal(decodeEntities('&amp;lt; &bogus; & plain'), '&lt; &bogus; & plain');
  });

  it('replaces invalid code points instead of throwing', () => {
    assert.equal(decodeEntities('&#xD800;&#1114112;'), '\ufffd\ufffd');
  });
});
