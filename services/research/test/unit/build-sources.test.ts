import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@pressroom/logger';
import { permanentError } from '@pressroom/contracts';
import { createSourceBuilder, TEXT_CHARS } from '../../src/sources/build-sources.ts';

const logger = createLogger({ service: 'research-test', level: 'silent' });

describe('createSourceBuilder (without a cache)', () => {
  const pages: Record<string, string> = { 'https://a.test/': 'Page A text. '.repeat(1000) };
  const fetched: string[] = [];
  const build = createSourceBuilder({
    pageCache: undefined,
    logger,
    fetchPage: async (url) => {
      fetched.push(url);
      const text = pages[url];
      if (text === undefined) throw permanentError('upstream_404', 'gone');
      return text;
    },
  });

  it('fetches pages for web hits, caps their text, keeps local text, and falls back to the snippet on a failed fetch', async () => {
    const sources = await build(
      [
        { title: 'A', url: 'https://a.test/', snippet: 'snippet a' },
        { title: 'B', url: 'https://b.test/', snippet: 'snippet b' },
        { title: 'L', url: 'file:///corpus/l.md', snippet: '', text: 'Local document about starters.' },
        { title: 'A again', url: 'https://a.test/', snippet: 'dup' },
      ],
      'starters',
    );
    assert.deepEqual(sources.map((s) => s.title), ['A', 'B', 'L']);
    assert.ok(sources[0]!.text.startsWith('Page A text.') && sources[0]!.text.length <= TEXT_CHARS);
    assert.equal(sources[1]!.text, 'snippet b');
    assert.deepEqual(sources[2], { title: 'L', url: 'file:///corpus/l.md', snippet: 'Local document about starters.', text: 'Local document about starters.' });
    assert.deepEqual(fetched.sort(), ['https://a.test/', 'https://b.test/']);
  });
});
