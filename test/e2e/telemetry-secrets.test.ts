import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpStub, type HttpStub } from '@pressroom/test-support';
import { chatCompletion, topicOf } from '../../services/llm/test/support/chat-stub.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { waitForFinalRequest } from '../support/request-polling.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

/** Every span a real OTLP/HTTP receiver got (JSON export bodies), with its resource's service.name. */
function spansOf(collector: HttpStub): Array<OtlpSpan & { service: string }> {
  const out: Array<OtlpSpan & { service: string }> = [];
  for (const req of collector.requests.filter((r) => r.path === '/v1/traces')) {
    const body = req.json() as { resourceSpans?: Array<{ resource?: { attributes?: OtlpSpan['attributes'] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> };
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) out.push({ ...span, service });
    }
  }
  return out;
}

const attr = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue;
const secret = (label: string) => `${label}${randomBytes(12).toString('hex')}`;

const PAGE_HTML = `<!doctype html><html><head><title>Lighthouse notes</title></head><body><article><h1>Lighthouse keepers at night</h1>
<p>Lighthouse keepers trimmed the lamp wicks every four hours at night so the beam never dimmed.</p></article></body></html>`;
const FOG_HTML = `<!doctype html><html><head><title>Fog signals</title></head><body><article><h1>Fog signals</h1>
<p>Lighthouse keepers sounded the fog horn at night whenever the headland disappeared.</p></article></body></html>`;

describe('no secrets leave in telemetry, and trace context from the internet is not trusted (real OTLP receiver, four services)', () => {
  const googleKey = secret('gk');
  const llmKey = secret('sk');
  const signingSecret = randomBytes(48).toString('base64');
  const hookPathToken = secret('hookpath');
  const hookQueryToken = secret('hookquery');
  const password = secret('pw-');
  const incomingTraceId = randomBytes(16).toString('hex');
  const incomingSpanId = randomBytes(8).toString('hex');
  const baggageValue = secret('bag');
  let collector: HttpStub;
  let search: HttpStub;
  let pages: HttpStub;
  let llm: HttpStub;
  let webhook: HttpStub;
  let publishDir: string;
  let pipeline: Pipeline;

  before(async () => {
    publishDir = await mkdtemp(join(tmpdir(), 'pressroom-otel-secrets-'));
    collector = await startHttpStub(() => ({ body: {} }));
    pages = await startHttpStub((req) => ({ body: req.path.endsWith('/fog') ? FOG_HTML : PAGE_HTML }));
    search = await startHttpStub(() => ({
      body: {
        items: [
          { title: 'Lighthouse notes', link: `${pages.url}/articles/keepers`, snippet: 'Keepers at night.' },
          { title: 'Fog signals', link: `${pages.url}/articles/fog`, snippet: 'Fog horns.' },
        ],
      },
    }));
    llm = await startHttpStub((req) =>
      chatCompletion({ title: topicOf(req), summary: 'Keepers kept the lamp lit [1].', body_markdown: 'Keepers trimmed the wicks [1].' }, 'gpt-otel'),
    );
    webhook = await startHttpStub(() => ({ status: 204 }));
    pipeline = await startPipeline('otelsecret', {
      PUBLISH_DIR: publishDir,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      SEARCH_PROVIDER: 'google',
      GOOGLE_CSE_URL: `${search.url}/customsearch/v1`,
      GOOGLE_API_KEY: googleKey,
      GOOGLE_CSE_ID: 'otel-cx',
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${llm.url}/v1`,
      LLM_API_KEY: llmKey,
      WEBHOOK_SIGNING_SECRET: signingSecret,
    });
  });

  after(async () => {
    await pipeline?.close();
    await Promise.all([collector?.close(), search?.close(), pages?.close(), llm?.close(), webhook?.close()]);
    await rm(publishDir, { recursive: true, force: true });
  });

  it('when a request runs with an API key in a query, tokens in a webhook URL, a password, bearer tokens and a client traceparent with baggage, then no exported span holds any of them, the trace is new and linked, and no baggage is forwarded', async () => {
    const api = pipeline.api;
    const user = await api.registerAndLogin(`otel-${randomBytes(4).toString('hex')}@example.com`, password);
    const hookUrl = `${webhook.url}/hooks/${hookPathToken}?token=${hookQueryToken}`;
    const submitted = await api.call('POST', '/v1/requests', {
      token: user.access,
      body: { topic: 'Lighthouse keepers at night', length: 'short', channel: { type: 'webhook', url: hookUrl } },
      headers: { traceparent: `00-${incomingTraceId}-${incomingSpanId}-01`, baggage: `user.secret=${baggageValue}` },
    });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    // A token in a query string of our own API, as a careless client might send it.
    await api.call('GET', `/v1/requests?limit=5&access_token=${user.access}`, { token: user.access });
    const request = await waitForFinalRequest(api, user.access, submitted.body.id);
    assert.equal(request.status, 'published', JSON.stringify(request));
    assert.equal(webhook.requests.length, 1, 'the webhook was delivered');
    const traceId: string = request.trace_id;
    assert.notEqual(traceId, incomingTraceId, 'a client cannot choose the trace id');

    let spans = spansOf(collector);
    for (let i = 0, stable = 0; i < 150 && stable < 5; i++) {
      const now = spansOf(collector);
      const complete = new Set(now.filter((s) => s.traceId === traceId).map((s) => s.service)).size === 4;
      stable = complete && now.length === spans.length ? stable + 1 : 0;
      spans = now;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual([...new Set(spans.filter((s) => s.traceId === traceId).map((s) => s.service))].sort(), ['gateway', 'llm', 'publisher', 'research']);

    // Everything any service exported, byte for byte: no secret of this run in it.
    const exported = collector.requests.map((r) => r.body).join('\n');
    const secrets = { googleKey, llmKey, signingSecret, hookPathToken, hookQueryToken, password, access: user.access, refresh: user.refresh, baggageValue };
    for (const [name, value] of Object.entries(secrets)) assert.ok(value && !exported.includes(value), `${name} is not in any exported span`);

    // What is recorded instead: the allowlisted shape of each URL.
    const urls = spans.map((s) => attr(s, 'url.full')).filter(Boolean);
    assert.ok(urls.includes(`${webhook.url}/hooks/REDACTED?token=REDACTED`), `webhook call recorded without its tokens: ${urls.join(' ')}`);
    assert.ok(
      urls.some((u) => u === `${search.url}/customsearch/v1?key=REDACTED&cx=REDACTED&q=REDACTED&num=REDACTED`),
      `search call recorded without its key: ${urls.join(' ')}`,
    );

    // The client's traceparent is linked from the gateway's server span, not continued.
    const submit = spans.find((s) => s.traceId === traceId && s.service === 'gateway' && s.name === 'POST /v1/requests');
    assert.ok(submit, 'the submit span is in the request trace');
    assert.deepEqual(
      submit.links?.map((l) => [l.traceId, l.spanId]),
      [[incomingTraceId, incomingSpanId]],
    );
    assert.ok(!spans.some((s) => s.traceId === incomingTraceId), 'no span joined the client trace');

    // Baggage reaches no third party, and neither does the client's trace id.
    for (const stub of [search, pages, llm, webhook])
      for (const req of stub.requests) {
        assert.equal(req.headers['baggage'], undefined, `no baggage to ${req.path}`);
        assert.ok(!String(req.headers['traceparent'] ?? '').includes(incomingTraceId));
      }
  });
});
