import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderMarkdownFile, yamlString } from '../../src/render/front-matter.ts';
import type { PublishInput } from '../../src/channels/channel.ts';

const input = (over: Partial<PublishInput['article']> = {}, topic = 'tides'): PublishInput => ({
  request_id: '6f1c2a4e-1b2c-4d3e-8f90-1234567890ab',
  brief: { topic, tone: 'neutral', length: 'short' },
  channel: { type: 'file' },
  article: {
    title: 'Tides',
    summary: 'Why the sea moves.',
    body_markdown: '# Tides\n\nThe moon pulls.\n',
    sources: [{ title: 'NOAA', url: 'https://noaa.gov/tides' }],
    ...over,
  },
  published_at: '2025-01-02T03:04:05.000Z',
});

function frontMatter(text: string): { data: Record<string, unknown>; body: string } {
  const m = text.match(/^---\n([\s\S]*?)\n---\n\n([\s\S]*)$/);
  assert.ok(m, 'front matter block, a blank line, then the body');
  return { data: parse(m[1]!) as Record<string, unknown>, body: m[2]! };
}

describe('front matter', () => {
  it('when the article is plain, then every field round-trips through a YAML parser and the body follows', () => {
    const { data, body } = frontMatter(renderMarkdownFile(input()));
    assert.deepEqual(data, {
      title: 'Tides',
      summary: 'Why the sea moves.',
      topic: 'tides',
      request_id: '6f1c2a4e-1b2c-4d3e-8f90-1234567890ab',
      published_at: '2025-01-02T03:04:05.000Z',
      sources: [{ title: 'NOAA', url: 'https://noaa.gov/tides' }],
    });
    assert.equal(body, '# Tides\n\nThe moon pulls.\n');
  });

  it('when titles hold quotes, colons, newlines and a fence, then they stay inside their scalar', () => {
    const title = 'He said: "stop" \\ no\n---\ninjected: true';
    const summary = "it's: a # comment?\r\n- list\u2028sep\ttab";
    const { data } = frontMatter(renderMarkdownFile(input({ title, summary, sources: [{ title: 'a: "b"', url: 'https://x.test/?q=a:b#c' }] }, 'yes: no')));
    assert.equal(data.title, title);
    assert.equal(data.summary, summary);
    assert.equal(data.topic, 'yes: no');
    assert.equal(data.injected, undefined);
    assert.deepEqual(data.sources, [{ title: 'a: "b"', url: 'https://x.test/?q=a:b#c' }]);
  });

  it('when there are no sources, then the list is empty, not missing', () => {
    assert.deepEqual(frontMatter(renderMarkdownFile(input({ sources: [] }))).data.sources, []);
  });

  it('when a value looks like another YAML type, then it stays a string', () => {
    for (const v of ['true', 'null', '123', '2025-01-01', '~', '*alias', '&anchor', '!tag']) assert.equal(parse(`v: ${yamlString(v)}`).v, v);
  });

  it('when a value has line separators, then they are escaped, not written raw', () => {
    assert.equal(yamlString('a\u2028b\u0085c'), '"a\\u2028b\\u0085c"');
  });
});
