import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError } from '@pressroom/contracts';
import { extractReadableText } from '../../src/extract/page-fetcher.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('extractReadableText', () => {
  it('extracts the article of an HTML page, ignoring the content-type parameters and case', async () => {
    const html = '<html><body><nav>Menu</nav><article><h1>T</h1><p>Body text.</p></article></body></html>';
    assert.equal(await extractReadableText(bytes(html), 'Text/HTML; charset=utf-8'), 'T\n\nBody text.');
  });
  it('tidies plain text', async () => {
    assert.equal(await extractReadableText(bytes('a  b\r\n\r\n\r\n\r\nc\n'), 'text/plain'), 'a b\n\nc');
  });
  it('when the content type is neither HTML nor text, then it refuses permanently', async () => {
    for (const type of ['application/pdf', '']) {
      await assert.rejects(extractReadableText(bytes('%PDF'), type), (err) => err instanceof TaskError && err.code === 'unsupported_content_type');
    }
  });
});
