import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpStub, type HttpStub } from '@pressroom/test-support';
import { openEventStream } from '../../services/gateway/test/support/sse-client.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const TOPIC = 'How do honeybees communicate?';

describe('following and cancelling with the real workers: four processes', () => {
  let publishDir: string;
  let llm: HttpStub;
  let pipeline: Pipeline;
  let gatewayUrl: string;
  let llmCalled: () => void;
  let llmCall: Promise<void>;

  before(async () => {
    publishDir = await mkdtemp(join(tmpdir(), 'pressroom-follow-'));
    llmCall = new Promise((resolve) => (llmCalled = resolve));
    // A chat-completions server that takes far longer than the test: only an abandoned call lets the write stage end.
    llm = await startHttpStub(() => {
      llmCalled();
      return { status: 200, delayMs: 50_000, body: {} };
    });
    pipeline = await startPipeline('follow', { PUBLISH_DIR: publishDir, STARTED_EVENT_DELAY_MS: '0' });
    gatewayUrl = pipeline.url;
  });

  after(async () => {
    await pipeline?.close();
    await llm?.close();
    await rm(publishDir, { recursive: true, force: true });
  });

  it('when a user follows a request over SSE alone, then the stream shows every stage from submit to published and ends', async () => {
    const user = await pipeline.api.registerAndLogin();
    const submitted = await pipeline.api.call('POST', '/v1/requests', { token: user.access, body: { topic: TOPIC, length: 'short' } });
    const stream = await openEventStream(`${gatewayUrl}/v1/requests/${submitted.body.id}/events`, { authorization: `Bearer ${user.access}` });
    const events = await stream.ended();
    const stageEvents = events.filter((e) => e.event !== 'request.status').map((e) => e.event);
    assert.deepEqual(
      stageEvents,
      ['research', 'write', 'publish'].flatMap((s) => [`request.${s}.started`, `request.${s}.completed`]),
    );
    assert.equal(events.at(-1)!.data.status, 'published');
    assert.match(String(events.at(-1)!.data.published_url), /^file:\/\//);
  });

  it('when a request is cancelled while the llm call runs, then the call is abandoned and the request ends cancelled at the write stage', async () => {
    await pipeline.stop('llm');
    await pipeline.start('llm', { LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.url, LLM_API_KEY: 'test-key', LLM_TIMEOUT_MS: '60000' });
    const user = await pipeline.api.registerAndLogin();
    const submitted = await pipeline.api.call('POST', '/v1/requests', { token: user.access, body: { topic: TOPIC, length: 'medium' } });
    const id = submitted.body.id as string;
    const stream = await openEventStream(`${gatewayUrl}/v1/requests/${id}/events`, { authorization: `Bearer ${user.access}` });
    await llmCall;
    const cancelled = await pipeline.api.call('POST', `/v1/requests/${id}/cancel`, { token: user.access });
    assert.equal(cancelled.status, 202);
    const events = await stream.ended();
    assert.deepEqual(
      events.slice(-2).map((e) => e.event),
      ['request.write.cancelled', 'request.status'],
    );
    assert.equal(events.at(-1)!.data.status, 'cancelled');
    const request = (await pipeline.api.call('GET', `/v1/requests/${id}`, { token: user.access })).body;
    assert.deepEqual(
      request.stages.map((s: { status: string }) => s.status),
      ['completed', 'cancelled', 'pending'],
    );
    assert.equal((await pipeline.api.call('POST', `/v1/requests/${id}/cancel`, { token: user.access })).status, 409);
  });
});
