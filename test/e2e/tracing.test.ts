import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil, startHttpStub, type HttpStub } from '@pressroom/test-support';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { waitForFinalRequest } from '../support/request-polling.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  links?: Array<{ traceId: string; spanId: string }>;
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
}
interface CollectedSpan extends OtlpSpan {
  service: string;
}

/** Flattens OTLP/HTTP JSON export bodies into spans tagged with their resource's service.name. */
function spansOf(stub: HttpStub): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  for (const req of stub.requests) {
    const body = req.json() as { resourceSpans?: Array<{ resource?: { attributes?: OtlpSpan['attributes'] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> };
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) out.push({ ...span, service });
    }
  }
  return out;
}

const attr = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue;

const ADMIN = { email: 'admin@otel.test', password: 'admin password for the tracing tests' };

describe('one trace per content request across the four services (OTLP receiver)', () => {
  let collector: HttpStub;
  let receiver: HttpStub;
  let publishDir: string;
  let pipeline: Pipeline;
  let api: Pipeline['api'];

  before(async () => {
    publishDir = await mkdtemp(join(tmpdir(), 'pressroom-otel-'));
    collector = await startHttpStub(() => ({ body: {} }));
    // A webhook receiver that refuses its first delivery for good (410) and takes the rest.
    receiver = await startHttpStub(() => (receiver.requests.length === 1 ? { status: 410 } : { status: 204 }));
    pipeline = await startPipeline('otel', {
      PUBLISH_DIR: publishDir,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    api = pipeline.api;
  });

  after(async () => {
    await pipeline?.close();
    await collector?.close();
    await receiver?.close();
    await rm(publishDir, { recursive: true, force: true });
  });

  /** The spans of one trace, once every service in `services` has reported and the count has been stable a while. */
  async function traceSpans(traceId: string, services: number): Promise<CollectedSpan[]> {
    let spans: CollectedSpan[] = [];
    for (let i = 0, stable = 0; i < 150 && stable < 5; i++) {
      const now = spansOf(collector).filter((s) => s.traceId === traceId);
      const complete = new Set(now.map((s) => s.service)).size === services;
      stable = complete && now.length === spans.length ? stable + 1 : 0;
      spans = now;
      await new Promise((r) => setTimeout(r, 100));
    }
    return spans;
  }

  it('when a request is published, then a single trace holds spans of all four services, each with request_id, with no broken parent link', async () => {
    const user = await api.registerAndLogin();
    const submitted = await api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'How do volcanoes form?' } });
    const request = await waitForFinalRequest(api, user.access, submitted.body.id);
    assert.equal(request.status, 'published');
    const traceId: string = request.trace_id;
    assert.match(traceId, /^[0-9a-f]{32}$/);

    // Exports arrive in batches: wait until all four services have reported and the count has been stable a while.
    const spans = await traceSpans(traceId, 4);
    assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(), ['gateway', 'llm', 'publisher', 'research']);

    // The submit use case makes the request's id, after authentication: the session check has ended by then.
    const missing = spans.filter((s) => attr(s, 'request_id') !== submitted.body.id).map((s) => `${s.service}: ${s.name}`);
    assert.deepEqual(missing, ['gateway: session check'], 'every span of the trace carries the request_id, but the one that ended before the request existed');

    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => !s.parentSpanId);
    assert.equal(roots.length, 1, `exactly one root: ${roots.map((r) => `${r.service}: ${r.name}`).join(', ')}`);
    assert.equal(roots[0]!.service, 'gateway');
    const orphans = spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId)).map((s) => `${s.service}: ${s.name}`);
    assert.deepEqual(orphans, [], 'every parent link resolves inside the trace');

    const stageSpans = spans
      .filter((s) => /^(research|write|publish) process$/.test(s.name))
      .map((s) => `${s.service}:${s.name}`)
      .sort();
    assert.deepEqual(stageSpans, ['llm:write process', 'publisher:publish process', 'research:research process']);
    const llm = spans.find((s) => s.service === 'llm' && s.name.startsWith('chat '));
    assert.ok(llm, 'the LLM call has a GenAI span');
  });

  it("when a dead letter is replayed, then the replay continues its request's trace, linked to the operator's call", async () => {
    const admin = (await api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
    const user = await api.registerAndLogin();
    const submitted = await api.call('POST', '/v1/requests', {
      token: user.access,
      body: { topic: 'How do volcanoes form?', channel: { type: 'webhook', url: `${receiver.url}/hook` } },
    });
    assert.equal(submitted.status, 202);
    const failed = await waitForFinalRequest(api, user.access, submitted.body.id);
    assert.equal(failed.status, 'failed');
    const letter = await pollUntil('the dead letter to be stored', async () => {
      const list = await api.call('GET', `/v1/admin/dead-letters?request_id=${submitted.body.id}`, { token: admin });
      return list.body.items?.[0];
    });
    const replay = await api.call('POST', `/v1/admin/dead-letters/${letter.id}/replay`, { token: admin });
    assert.equal(replay.status, 200);
    const published = await waitForFinalRequest(api, user.access, submitted.body.id);
    assert.equal(published.status, 'published');
    assert.equal(published.trace_id, failed.trace_id, 'the request keeps its one trace');

    const spans = await traceSpans(failed.trace_id, 4);
    const publishRuns = spans.filter((s) => s.name === 'publish process');
    assert.equal(publishRuns.length, 2, `the failed run and the replayed one: ${spans.map((s) => `${s.service}: ${s.name}`).join(', ')}`);
    const replaySpan = spans.find((s) => s.name === 'dead letter replay');
    assert.ok(replaySpan, 'the replay is a span of the trace');
    assert.equal(replaySpan.service, 'gateway');
    assert.equal(attr(replaySpan, 'request_id'), submitted.body.id);
    assert.equal(attr(replaySpan, 'user_id'), user.userId, "the request's owner, as on the rest of its trace, not the operator");
    const ids = new Set(spans.map((s) => s.spanId));
    assert.ok(replaySpan.parentSpanId && ids.has(replaySpan.parentSpanId), 'its parent is a span of the dead-lettered run');
    const orphans = spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId)).map((s) => `${s.service}: ${s.name}`);
    assert.deepEqual(orphans, [], 'every parent link resolves inside the trace');
    assert.equal(spans.filter((s) => !s.parentSpanId).length, 1, 'still one root');

    // The link leads to the admin's call, a trace of its own.
    const [link] = replaySpan.links ?? [];
    assert.ok(link, 'the replay span links the call that asked for it');
    assert.notEqual(link.traceId, failed.trace_id);
    const call = await pollUntil('the admin call’s server span', async () =>
      spansOf(collector).find((s) => s.traceId === link.traceId && s.spanId === link.spanId),
    );
    assert.match(attr(call, 'url.path') ?? '', /^\/v1\/admin\/dead-letters\/[^/]+\/replay$/, 'the replay call (ids in paths are redacted)');
  });

  it('when calls without a valid credential are refused before express, then they start no server span, while a call with a valid token has one', async () => {
    // Three spellings of one route, so that each call's server span (if any) is told apart by its url.path.
    const user = await api.registerAndLogin();
    const [header, payload] = user.access.split('.');
    assert.equal((await api.call('GET', '/v1/me/')).status, 401);
    assert.equal((await api.call('GET', '/V1/me', { headers: { authorization: `Bearer ${header}.${payload}.${'A'.repeat(43)}` } })).status, 401);
    assert.equal((await api.call('GET', '/v1/me', { token: user.access })).status, 200);
    const serverSpan = (path: string) => spansOf(collector).find((s) => s.service === 'gateway' && attr(s, 'url.path') === path);
    for (let i = 0; i < 100 && !serverSpan('/v1/me'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(serverSpan('/v1/me'), 'the call that reached express has its server span');
    assert.equal(serverSpan('/v1/me/'), undefined, 'the fast-path refusal without a token, answered first, has none');
    assert.equal(serverSpan('/V1/me'), undefined, 'nor the one with a forged token');
  });
});

describe('a collector that is down', () => {
  let pipeline: Pipeline;
  let publishDir: string;

  before(async () => {
    publishDir = await mkdtemp(join(tmpdir(), 'pressroom-otel-down-'));
    // Nothing listens on port 1: every export fails.
    pipeline = await startPipeline('oteldown', { PUBLISH_DIR: publishDir, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_BSP_SCHEDULE_DELAY: '100' });
  });

  let closed = false;
  after(async () => {
    // A failed assertion before the test's own close must not leave four services running (the file would hang).
    if (!closed) await pipeline?.close();
    await rm(publishDir, { recursive: true, force: true });
  });

  it('when the OTLP endpoint refuses connections, then requests are still published and every service stops cleanly and promptly', async () => {
    const user = await pipeline.api.registerAndLogin();
    const submitted = await pipeline.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'How do black holes form?' } });
    const request = await waitForFinalRequest(pipeline.api, user.access, submitted.body.id);
    assert.equal(request.status, 'published');
    const started = Date.now();
    closed = true;
    const codes = await pipeline.close();
    assert.deepEqual(codes, { gateway: 0, research: 0, llm: 0, publisher: 0 });
    assert.ok(Date.now() - started < 15_000, `shutdown took ${Date.now() - started} ms`);
  });
});
