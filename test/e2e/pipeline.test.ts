import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { waitForFinalRequest } from '../support/request-polling.ts';

describe('pipeline end to end: four processes, embedded providers', () => {
  let publishDir: string;
  let pipeline: Pipeline;
  let api: Pipeline['api'];

  before(async () => {
    publishDir = await mkdtemp(join(tmpdir(), 'pressroom-e2e-'));
    pipeline = await startPipeline('e2e', { PUBLISH_DIR: publishDir, LOG_LEVEL: 'info' });
    api = pipeline.api;
  });

  after(async () => {
    const codes = await pipeline?.close();
    await rm(publishDir, { recursive: true, force: true });
    assert.deepEqual(codes, { gateway: 0, research: 0, llm: 0, publisher: 0 }, 'every service exits 0 on SIGTERM');
  });

  it('when a user submits a topic, then it is researched, written and published, with a full stage timeline and a trace id', async () => {
    const user = await api.registerAndLogin();
    const submitted = await api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'How do honeybees communicate?', length: 'short' } });
    assert.equal(submitted.status, 202);
    const request = await waitForFinalRequest(api, user.access, submitted.body.id);
    assert.equal(request.status, 'published', JSON.stringify(request));
    assert.deepEqual(
      request.stages.map((s: any) => [s.stage, s.status, s.attempts]),
      [
        ['research', 'completed', 1],
        ['write', 'completed', 1],
        ['publish', 'completed', 1],
      ],
    );
    for (const s of request.stages) {
      assert.ok(Number.isInteger(s.duration_ms) && s.duration_ms >= 0, `${s.stage} has a duration`);
      assert.ok(Date.parse(s.finished_at) >= Date.parse(s.started_at));
    }
    assert.match(request.trace_id, /^[0-9a-f]{32}$/);
    assert.match(request.result.title, /bee/i);
    assert.ok(request.result.sources.some((s: any) => s.url.endsWith('honeybees.md')));
    assert.match(request.result.body_markdown, /\[1\]/);
    const path = fileURLToPath(request.result.published_url);
    assert.equal(path, join(publishDir, `${submitted.body.id}.md`));
    const file = await readFile(path, 'utf8');
    assert.match(file, /^---\n/);
    assert.match(file, new RegExp(`request_id: "${submitted.body.id}"`));
    assert.ok(file.includes(request.result.body_markdown.trim().slice(0, 200)));
  });

  it('when a user submits a topic nothing in the corpus matches, then the request fails with a clear research error', async () => {
    const user = await api.registerAndLogin();
    const submitted = await api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'zxqv wplkj' } });
    const request = await waitForFinalRequest(api, user.access, submitted.body.id);
    assert.equal(request.status, 'failed');
    assert.equal(request.stages[0].status, 'failed');
    assert.equal(request.stages[0].error.code, 'no_sources');
    assert.equal(request.stages[1].status, 'pending');
  });
});
