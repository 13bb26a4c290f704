import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startHttpStub, type HttpStub, type RecordedRequest } from '@pressroom/test-support';
import { chatCompletion, topicOf } from '../../services/llm/test/support/chat-stub.ts';
import { deriveWebhookSecret, requestSecretContext, verifyStandardWebhook, verifyWebhookSignature } from '@pressroom/resilience';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { waitForFinalRequest } from '../support/request-polling.ts';

const PAGE_SENTENCE = 'Keepers trimmed the lamp wicks every four hours so the beam never dimmed before dawn.';
const PAGE_HTML = `<!doctype html><html><head><title>Lighthouse notes</title><script>var tracker = "do-not-index";</script></head>
<body><nav>Home | Archive | Subscribe now</nav><article><h1>Lighthouse notes</h1><p>${PAGE_SENTENCE}</p>
<p>Fog signals sounded whenever the far headland disappeared from view.</p></article><footer>All rights reserved</footer></body></html>`;
// A page of its own for the second result: research keeps one source per distinct text.
const FOG_HTML = `<!doctype html><html><head><title>Fog signals</title></head>
<body><article><h1>Fog signals</h1><p>Lighthouse keepers sounded the fog horn at night whenever the far headland disappeared from view.</p></article></body></html>`;
const LLM_KEY = 'sk-e2e-provider-key';
const LLM_MODEL = 'gpt-e2e-mini';

type Hit = { title: string; url: string; snippet: string };

/** Each search provider: its settings, its real response shape, and what its real API must receive. */
const PROVIDERS: Array<{
  name: string;
  settings: (stub: string) => Record<string, string>;
  respond: (query: string, hits: Hit[]) => unknown;
  expectRequest: (req: RecordedRequest, query: string) => void;
}> = [
  {
    name: 'google',
    settings: (stub) => ({ GOOGLE_CSE_URL: `${stub}/customsearch/v1`, GOOGLE_API_KEY: 'e2e-google-key', GOOGLE_CSE_ID: 'e2e-cx' }),
    respond: (q, hits) => ({
      kind: 'customsearch#search',
      queries: { request: [{ searchTerms: q }] },
      items: hits.map((h) => ({ kind: 'customsearch#result', title: h.title, link: h.url, snippet: h.snippet })),
    }),
    expectRequest: (req, q) => {
      assert.equal(req.method, 'GET');
      assert.equal(req.path, '/customsearch/v1');
      assert.deepEqual(Object.fromEntries(req.query), { key: 'e2e-google-key', cx: 'e2e-cx', q, num: '10' }, 'twice SEARCH_RESULTS: spares for dropped pages');
    },
  },
  {
    name: 'serper',
    settings: (stub) => ({ SERPER_URL: `${stub}/search`, SERPER_API_KEY: 'e2e-serper-key' }),
    respond: (q, hits) => ({
      searchParameters: { q, type: 'search', engine: 'google' },
      organic: hits.map((h, i) => ({ title: h.title, link: h.url, snippet: h.snippet, position: i + 1 })),
    }),
    expectRequest: (req, q) => {
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/search');
      assert.equal(req.headers['x-api-key'], 'e2e-serper-key');
      assert.match(String(req.headers['content-type']), /^application\/json/);
      assert.deepEqual(req.json(), { q, num: 10 });
    },
  },
  {
    name: 'brave',
    settings: (stub) => ({ BRAVE_URL: `${stub}/res/v1/web/search`, BRAVE_API_KEY: 'e2e-brave-key' }),
    respond: (q, hits) => ({
      type: 'search',
      query: { original: q },
      web: { type: 'search', results: hits.map((h) => ({ title: h.title, url: h.url, description: `<strong>${h.snippet}</strong>` })) },
    }),
    expectRequest: (req, q) => {
      assert.equal(req.method, 'GET');
      assert.equal(req.path, '/res/v1/web/search');
      assert.deepEqual(Object.fromEntries(req.query), { q, count: '10' });
      assert.equal(req.headers['x-subscription-token'], 'e2e-brave-key');
      assert.equal(req.headers['accept'], 'application/json');
    },
  },
  {
    name: 'searxng',
    settings: (stub) => ({ SEARXNG_URL: `${stub}/searx/` }),
    respond: (q, hits) => ({
      query: q,
      number_of_results: hits.length,
      results: hits.map((h) => ({ title: h.title, url: h.url, content: h.snippet, engine: 'duckduckgo' })),
    }),
    expectRequest: (req, q) => {
      assert.equal(req.method, 'GET');
      assert.equal(req.path, '/searx/search');
      assert.deepEqual(Object.fromEntries(req.query), { q, format: 'json' });
    },
  },
];

// Distinct per provider, so neither the search, page nor LLM cache can hide a call; the pages hold two of
// its four content words together, so research judges them relevant.
const topicFor = (provider: string) => `Lighthouse keepers at night via ${provider}`;
const hitsFor = (provider: string, pages: string): Hit[] => [
  { title: `Lighthouse notes (${provider})`, url: `${pages}/articles/${provider}/keepers`, snippet: 'How keepers tended the lamp.' },
  { title: `Fog signals (${provider})`, url: `${pages}/articles/${provider}/fog`, snippet: 'When the fog horn sounded.' },
];
/** The model's answer: a "# title" line and an invalid citation [4] that post-processing must remove. */
const articleFor = (topic: string) => ({
  title: `# ${topic}: the keeper's watch`,
  summary: 'Keepers trimmed wicks every four hours [1][4].',
  body_markdown: `# ${topic}\n\nKeepers trimmed the lamp wicks every four hours [1] and logged the weather [4].\n\n## The night watch\n\nThe watch ran from dusk to dawn [1].`,
});

describe('end to end with openai, each search provider and a webhook, all pointed at local HTTP servers', () => {
  const secret = randomBytes(48).toString('base64');
  let pages: HttpStub;
  let llm: HttpStub;
  let webhook: HttpStub;
  let pipeline: Pipeline;
  let token: string;

  before(async () => {
    pages = await startHttpStub((req) => ({ body: req.path.endsWith('/fog') ? FOG_HTML : PAGE_HTML }));
    llm = await startHttpStub((req) => chatCompletion(articleFor(topicOf(req)), `${LLM_MODEL}-2025-01-01`));
    webhook = await startHttpStub((req) => ({ status: 201, body: { url: `https://news.example.test/posts/${String(req.headers['idempotency-key'])}` } }));
    // Research starts per provider, in each test.
    const settings = { LLM_PROVIDER: 'openai', LLM_BASE_URL: `${llm.url}/v1`, LLM_API_KEY: LLM_KEY, LLM_MODEL, WEBHOOK_SIGNING_SECRET: secret };
    pipeline = await startPipeline('e2eext', settings, ['gateway', 'llm', 'publisher']);
    token = (await pipeline.api.registerAndLogin()).access;
  });

  after(async () => {
    const codes = await pipeline?.close();
    await Promise.all([pages?.close(), llm?.close(), webhook?.close()]);
    if (codes) assert.deepEqual(codes, { gateway: 0, llm: 0, publisher: 0 }, 'every service exits 0 on SIGTERM');
  });

  for (const provider of PROVIDERS) {
    it(`when SEARCH_PROVIDER=${provider.name}, then search, page, LLM and webhook each receive exactly what their real APIs expect, and the request is published`, async () => {
      const topic = topicFor(provider.name);
      const hits = hitsFor(provider.name, pages.url);
      const search = await startHttpStub(() => ({ body: provider.respond(topic, hits) }));
      let request: any;
      let researchExit: number | null;
      try {
        await pipeline.start('research', { SEARCH_PROVIDER: provider.name, ...provider.settings(search.url) });
        const submitted = await pipeline.api.call('POST', '/v1/requests', {
          token,
          body: { topic, length: 'short', channel: { type: 'webhook', url: `${webhook.url}/hook` } },
        });
        assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
        request = await waitForFinalRequest(pipeline.api, token, submitted.body.id);
      } finally {
        researchExit = await pipeline.stop('research');
        await search.close();
      }
      assert.equal(researchExit, 0, 'research exits 0 on SIGTERM');
      const rid: string = request.id;
      assert.equal(request.status, 'published', JSON.stringify(request));

      // The search API: one call, the topic as the query, the key where that API wants it.
      assert.equal(search.requests.length, 1);
      provider.expectRequest(search.requests[0]!, topic);

      // The page server: each result's page fetched once.
      const fetched = pages.requests.filter((r) => r.path.startsWith(`/articles/${provider.name}/`));
      assert.deepEqual(fetched.map((r) => [r.method, r.path]).sort(), hits.map((h) => ['GET', new URL(h.url).pathname]).sort());

      // The LLM: one chat completion, authenticated, for the configured model, with the topic and the page text.
      const calls = llm.requests.filter((r) => topicOf(r) === topic);
      assert.equal(calls.length, 1);
      const call = calls[0]!;
      assert.equal(call.method, 'POST');
      assert.equal(call.path, '/v1/chat/completions');
      assert.equal(call.headers['authorization'], `Bearer ${LLM_KEY}`);
      const chat = call.json() as { model: string; messages: Array<{ role: string; content: string }>; response_format: unknown };
      assert.equal(chat.model, LLM_MODEL);
      assert.equal((chat.response_format as { type: string }).type, 'json_schema');
      assert.deepEqual(
        chat.messages.map((m) => m.role),
        ['system', 'user'],
      );
      const prompt = chat.messages[1]!.content;
      assert.match(prompt, new RegExp(`^Topic: ${topic}$`, 'm'));
      assert.ok(prompt.includes(`<source id="1">\ntitle: ${hits[0]!.title}\nurl: ${hits[0]!.url}\n`), prompt);
      assert.ok(prompt.includes(PAGE_SENTENCE), 'the extracted page text is in the prompt');
      assert.ok(!/Subscribe now|do-not-index|All rights reserved/.test(prompt), 'navigation, scripts and footers are not');

      // The webhook: exactly one signed POST for this request, carrying the post-processed article.
      const posts = webhook.requests.filter((r) => r.headers['idempotency-key'] === rid);
      assert.equal(posts.length, 1);
      const post = posts[0]!;
      assert.equal(post.method, 'POST');
      assert.equal(post.path, '/hook');
      assert.match(String(post.headers['content-type']), /^application\/json/);
      assert.equal(post.headers['x-pressroom-request-id'], rid);
      const timestamp = String(post.headers['x-pressroom-timestamp']);
      assert.ok(Math.abs(Date.now() / 1000 - Number(timestamp)) < 60, `fresh timestamp ${timestamp}`);
      const own = deriveWebhookSecret(secret, requestSecretContext(rid));
      assert.ok(verifyStandardWebhook(own, post.body, post.headers), "the Standard Webhooks signature verifies with the request's derived secret");
      assert.ok(verifyWebhookSignature(own, timestamp, post.body, post.headers['x-pressroom-signature'] as string), 'the deprecated signature too');
      assert.ok(!verifyWebhookSignature(secret, timestamp, post.body, post.headers['x-pressroom-signature'] as string), 'never the master key');
      const delivered = post.json() as any;
      assert.equal(delivered.request_id, rid);
      assert.equal(delivered.topic, topic);
      assert.equal(delivered.title, `${topic}: the keeper's watch`);
      assert.equal(delivered.summary, 'Keepers trimmed wicks every four hours [1].');
      assert.ok(
        delivered.body_markdown.startsWith(
          'Keepers trimmed the lamp wicks every four hours [1] and logged the weather.\n\n## The night watch\n\nThe watch ran from dusk to dawn [1].',
        ),
        delivered.body_markdown,
      );
      assert.ok(
        delivered.body_markdown.endsWith(`## Sources\n\n1. [${hits[0]!.title}](${hits[0]!.url})\n2. [${hits[1]!.title}](${hits[1]!.url})\n`),
        delivered.body_markdown,
      );
      assert.deepEqual(
        delivered.sources,
        hits.map(({ title, url }) => ({ title, url })),
      );
      assert.ok(!Number.isNaN(Date.parse(delivered.published_at)));

      // The API: the same article, the URL the receiver reported, and a complete stage timeline.
      assert.deepEqual(
        { title: request.result.title, summary: request.result.summary, body_markdown: request.result.body_markdown, sources: request.result.sources },
        { title: delivered.title, summary: delivered.summary, body_markdown: delivered.body_markdown, sources: delivered.sources },
      );
      assert.equal(request.result.published_url, `https://news.example.test/posts/${rid}`);
      assert.deepEqual(
        request.stages.map((s: any) => [s.stage, s.status, s.attempts, s.error]),
        [
          ['research', 'completed', 1, null],
          ['write', 'completed', 1, null],
          ['publish', 'completed', 1, null],
        ],
      );
      for (const s of request.stages) {
        assert.ok(Number.isInteger(s.duration_ms) && s.duration_ms >= 0, `${s.stage} has a duration`);
        assert.ok(Date.parse(s.finished_at) >= Date.parse(s.started_at), `${s.stage} finishes after it starts`);
      }
    });
  }
});
