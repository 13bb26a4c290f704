import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { publishPayload, startPublisher } from './publisher-harness.ts';

describe('publisher, file channel (real RabbitMQ and Redis)', () => {
  let dir: string;
  let p: Awaited<ReturnType<typeof startPublisher>>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pressroom-published-'));
    p = await startPublisher('pubfile', { PUBLISH_DIR: dir });
  });

  after(async () => {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when a publish task arrives, then <request_id>.md holds front matter and body, and completed reports its file:// URL', async () => {
    const payload = publishPayload({ type: 'file' });
    const env = await p.submit(payload);
    const done = await p.completed(env);
    const path = join(dir, `${env.request_id}.md`);
    assert.equal(done.stage, 'publish');
    assert.equal(done.result?.published_url, pathToFileURL(path).href);

    const text = await readFile(path, 'utf8');
    const m = text.match(/^---\n([\s\S]*?)\n---\n\n([\s\S]*)$/);
    assert.ok(m, text);
    const meta = parse(m[1]!) as Record<string, unknown>;
    assert.equal(meta.title, payload.article.title);
    assert.equal(meta.summary, payload.article.summary);
    assert.equal(meta.topic, payload.brief.topic);
    assert.equal(meta.request_id, env.request_id);
    assert.ok(!Number.isNaN(Date.parse(String(meta.published_at))));
    assert.deepEqual(meta.sources, payload.article.sources);
    assert.equal(m[2], payload.article.body_markdown);
    assert.deepEqual(await readdir(dir), [`${env.request_id}.md`], 'no temporary file is left behind');
  });
});
