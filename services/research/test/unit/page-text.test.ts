import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError } from '@pressroom/contracts';
import { extractReadableText } from '../../src/extract/page-fetcher.ts';

describe('extractReadableText', () => {
  it('extracts the article of an HTML page, ignoring the content-type parameters and case', () => {
    const html = '<html><body><nav>Menu</nav><article><h1>T</h1><p>Body text.</p></article></body></html>';
    assert.equal(extractReadableText(html, 'Text/HTML; charset=utf-8'), 'T\n\nBody text.');
  });
  it('tidies plain text', () => {
    assert.equal(extractReadableText('a  b\r\n\r\n\r\n\r\nc\n', 'text/plain'), 'a b\n\nc');
  });
  it('when the content type is neither HTML nor text, then it refuses permanently', () => {
    for (const type of ['application/pdf', '']) {
      assert.throws(() => extractReadableText('%PDF', type), (err) => err instanceof TaskError && err.code === 'unsupported_content_type');
    }
  });
});
