import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalProvider } from '../../src/providers/local-provider.ts';
import type { SearchProvider } from '../../src/providers/search-provider.ts';

const file = (url: string) => url.replace(/^.*\/corpus\//, '');

describe('local provider over the sample corpus', () => {
  let local: SearchProvider;
  before(async () => {
    local = await createLocalProvider();
  });

  it('when a topic shares only common words with documents, then nothing is returned and those documents count as off-topic', async () => {
    const { hits, offTopic } = await local.search('Tracing distributed systems', 5);
    assert.deepEqual(hits, []);
    assert.ok(offTopic >= 2, `${offTopic} off-topic candidates`);
  });

  it('when a question is asked about a corpus subject, then its document is returned with a snippet about the question', async () => {
    const { hits } = await local.search('How do honeybees communicate?', 5);
    assert.deepEqual(
      hits.map((h) => file(h.url)),
      ['honeybees.md'],
    );
    assert.match(hits[0]!.snippet, /Communication|waggle dance/);
  });

  it('when a topic matches documents by one word but only one by all, then only that one is returned', async () => {
    const { hits, offTopic } = await local.search('how solar panels work', 5);
    assert.deepEqual(
      hits.map((h) => file(h.url)),
      ['solar-panels.md'],
    );
    assert.ok(offTopic > 0);
  });

  it('when every corpus subject is asked for by its file name, then its own document is found', async () => {
    for (const subject of ['honeybees', 'tcp congestion control', 'sourdough baking', 'tides and the moon', 'knitting basics', 'jazz history', 'wind power']) {
      const { hits } = await local.search(subject, 5);
      assert.ok(
        hits.some((h) => file(h.url).startsWith(subject.split(' ')[0]!)),
        `${subject}: ${hits.map((h) => file(h.url)).join(', ')}`,
      );
    }
  });

  it('when the same query comes again, then the memoised result is returned', async () => {
    assert.equal(await local.search('volcanoes', 5), await local.search('VOLCANOES', 5));
  });
});
