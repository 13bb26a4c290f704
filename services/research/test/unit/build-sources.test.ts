import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@pressroom/logger';
import { permanentError, transientError } from '@pressroom/contracts';
import { parseTopic } from '@pressroom/text';
import { createSourceBuilder, TEXT_CHARS } from '../../src/sources/build-sources.ts';

const logger = createLogger({ service: 'research-test', level: 'silent' });
const STARTER = 'A sourdough starter is flour and water with wild yeast. Feed the starter daily.';

function builder(pages: Record<string, string | Error>) {
  const fetched: string[] = [];
  const build = createSourceBuilder({
    pageCache: undefined,
    logger,
    fetchPage: async (url) => {
      fetched.push(url);
      const page = pages[url];
      if (page === undefined) throw permanentError('upstream_404', 'gone');
      if (page instanceof Error) throw page;
      return page;
    },
  });
  return { build, fetched };
}

const hit = (url: string, title = 'Page', snippet = '') => ({ title, url, snippet });

describe('createSourceBuilder (without a cache)', () => {
  const topic = parseTopic('sourdough starter');

  it('when web pages are about the topic, then they become sources with their capped page text', async () => {
    const long = `${STARTER} ${'More about bread. '.repeat(400)}`;
    const { build } = builder({ 'https://a.test/': long, 'https://b.test/': STARTER });
    const { sources, dropped } = await build([hit('https://a.test/', 'A', 'snippet a'), hit('https://b.test/', 'B')], topic);
    assert.deepEqual(
      sources.map((s) => s.title),
      ['A', 'B'],
    );
    assert.ok(sources[0]!.text.startsWith(STARTER) && sources[0]!.text.length <= TEXT_CHARS);
    assert.equal(sources[0]!.snippet, 'snippet a');
    assert.match(sources[1]!.snippet, /sourdough starter/, 'a missing engine snippet is taken from the page');
    assert.deepEqual(dropped, {});
  });

  it('when pages among the first hits are dropped, then spare hits are fetched in order for the missing sources only, and never more than the limit are kept', async () => {
    const pages: Record<string, string | Error> = {
      'https://1.test/': permanentError('upstream_403', 'blocked'),
      'https://2.test/': STARTER,
      'https://3.test/': permanentError('unsupported_content_type', 'pdf'),
      'https://4.test/': `${STARTER} Four.`,
      'https://5.test/': `${STARTER} Five.`,
      'https://6.test/': `${STARTER} Six.`,
    };
    const { build, fetched } = builder(pages);
    const hits = Object.keys(pages).map((url) => hit(url));
    const { sources, dropped } = await build(hits, topic, 3);
    assert.deepEqual(
      sources.map((s) => s.url),
      ['https://2.test/', 'https://4.test/', 'https://5.test/'],
    );
    assert.deepEqual(fetched, ['https://1.test/', 'https://2.test/', 'https://3.test/', 'https://4.test/', 'https://5.test/'], 'the sixth was not needed');
    assert.deepEqual(dropped, { upstream_403: 1, unsupported_content_type: 1 });
  });

  it('when a page is not about the topic, then it is dropped as off_topic', async () => {
    const { build } = builder({ 'https://a.test/': STARTER, 'https://trees.test/': 'Urban trees cool streets. A starter kit for gardeners.' });
    const { sources, dropped } = await build([hit('https://a.test/'), hit('https://trees.test/')], topic);
    assert.deepEqual(
      sources.map((s) => s.url),
      ['https://a.test/'],
    );
    assert.deepEqual(dropped, { off_topic: 1 });
  });

  it('when pages fail to fetch, then they are skipped (not replaced by their snippet) and counted by error code', async () => {
    const { build } = builder({
      'https://slow.test/': transientError('upstream_timeout', 'slow'),
      'https://pdf.test/': permanentError('unsupported_content_type', 'pdf'),
    });
    const built = await build(
      [hit('https://slow.test/', 'Slow', STARTER), hit('https://pdf.test/', 'PDF', STARTER), hit('https://gone.test/', 'Gone', STARTER)],
      topic,
    );
    assert.deepEqual(built.sources, []);
    assert.deepEqual(built.dropped, { upstream_timeout: 1, unsupported_content_type: 1, upstream_404: 1 });
    assert.equal(built.transientDrops, 1);
    assert.equal(built.offered, 3);
  });

  it('when hits name one page under several URLs or pages repeat a text, then one source is kept', async () => {
    const { build, fetched } = builder({ 'https://a.test/guide': STARTER, 'https://mirror.test/guide': STARTER });
    const built = await build(
      [
        hit('https://a.test/guide'),
        hit('http://www.a.test/guide/?utm_source=x#top'),
        hit('https://mirror.test/guide'),
        hit(`https://a.test/${'x'.repeat(2100)}`),
      ],
      topic,
    );
    assert.deepEqual(
      built.sources.map((s) => s.url),
      ['https://a.test/guide'],
    );
    assert.deepEqual(built.dropped, { duplicate: 2, url_too_long: 1 });
    assert.deepEqual(fetched, ['https://a.test/guide', 'https://mirror.test/guide']);
  });

  it('when a hit carries its text (the local corpus), then it is kept as judged by the provider, without a fetch', async () => {
    const { build, fetched } = builder({});
    const { sources } = await build([{ title: 'L', url: 'file:///corpus/l.md', snippet: 'Local.', text: 'Local document about starters.' }], topic);
    assert.deepEqual(sources, [{ title: 'L', url: 'file:///corpus/l.md', snippet: 'Local.', text: 'Local document about starters.' }]);
    assert.deepEqual(fetched, []);
  });
});
