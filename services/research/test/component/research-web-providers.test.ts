import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub, type HttpStub, type RecordedRequest } from '@pressroom/test-support';
import { ARTICLE_HTML, ARTICLE_TEXT, FEEDING_HTML, FEEDING_TEXT, researchTask, startResearchWorker } from './research-harness.ts';

type Hit = { title: string; url: string; snippet: string };

/** Each provider: its settings, its response shape, and what its real API must receive. */
const PROVIDERS: Array<{
  name: string;
  settings: (stub: string) => Record<string, string>;
  respond: (hits: Hit[]) => unknown;
  expectRequest: (req: RecordedRequest) => void;
}> = [
  {
    name: 'google',
    settings: (stub) => ({ GOOGLE_CSE_URL: `${stub}/customsearch/v1`, GOOGLE_API_KEY: 'test-google-key', GOOGLE_CSE_ID: 'test-cx' }),
    respond: (hits) => ({ kind: 'customsearch#search', items: hits.map((h) => ({ title: h.title, link: h.url, snippet: h.snippet })) }),
    expectRequest: (req) => {
      assert.equal(req.method, 'GET');
      assert.equal(req.path, '/customsearch/v1');
      assert.deepEqual(
        Object.fromEntries(req.query),
        { key: 'test-google-key', cx: 'test-cx', q: 'sourdough starter', num: '10' },
        'twice SEARCH_RESULTS (5): the spares stand in for dropped pages',
      );
    },
  },
  {
    name: 'serper',
    settings: (stub) => ({ SERPER_URL: `${stub}/search`, SERPER_API_KEY: 'test-serper-key' }),
    respond: (hits) => ({
      searchParameters: { q: 'sourdough starter' },
      organic: hits.map((h, i) => ({ title: h.title, link: h.url, snippet: h.snippet, position: i + 1 })),
    }),
    expectRequest: (req) => {
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/search');
      assert.equal(req.headers['x-api-key'], 'test-serper-key');
      assert.match(String(req.headers['content-type']), /^application\/json/);
      assert.deepEqual(req.json(), { q: 'sourdough starter', num: 10 });
    },
  },
  {
    name: 'brave',
    settings: (stub) => ({ BRAVE_URL: `${stub}/res/v1/web/search`, BRAVE_API_KEY: 'test-brave-key' }),
    respond: (hits) => ({
      type: 'search',
      web: { type: 'search', results: hits.map((h) => ({ title: h.title, url: h.url, description: `<strong>${h.snippet}</strong>` })) },
    }),
    expectRequest: (req) => {
      assert.equal(req.method, 'GET');
      assert.equal(req.path, '/res/v1/web/search');
      assert.deepEqual(Object.fromEntries(req.query), { q: 'sourdough starter', count: '10' });
      assert.equal(req.headers['x-subscription-token'], 'test-brave-key');
      assert.equal(req.headers['accept'], 'application/json');
    },
  },
  {
    name: 'searxng',
    settings: (stub) => ({ SEARXNG_URL: `${stub}/searx/` }),
    respond: (hits) => ({ query: 'sourdough starter', results: hits.map((h) => ({ title: h.title, url: h.url, content: h.snippet, engine: 'duckduckgo' })) }),
    expectRequest: (req) => {
      assert.equal(req.method, 'GET');
      assert.equal(req.path, '/searx/search');
      assert.deepEqual(Object.fromEntries(req.query), { q: 'sourdough starter', format: 'json' });
    },
  },
];

describe('research worker with web search providers (real RabbitMQ and Redis, stub providers and pages)', () => {
  let pages: HttpStub;
  before(async () => {
    const bodies: Record<string, string> = { '/starter-guide': ARTICLE_HTML, '/feeding': FEEDING_HTML };
    pages = await startHttpStub((req) => (bodies[req.path] ? { body: bodies[req.path] } : { status: 404, body: 'not found' }));
  });
  after(() => pages.close());

  for (const provider of PROVIDERS) {
    it(`when SEARCH_PROVIDER=${provider.name}, then the API receives the query and key, and the sources carry each page's article text, without the page that failed`, async () => {
      const hits: Hit[] = [
        { title: 'Starter guide', url: `${pages.url}/starter-guide`, snippet: 'How to keep a starter.' },
        { title: 'Gone page', url: `${pages.url}/gone`, snippet: 'A sourdough starter page that has moved.' },
        { title: 'Feeding schedule', url: `${pages.url}/feeding`, snippet: 'Feeding a starter.' },
      ];
      const search = await startHttpStub(() => ({ body: provider.respond(hits) }));
      const worker = await startResearchWorker({ SEARCH_PROVIDER: provider.name, ...provider.settings(search.url) });
      try {
        const rid = await worker.submit(researchTask('  sourdough   starter ', 'home bakers'));
        const done = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'completed');
        assert.equal(search.requests.length, 1);
        provider.expectRequest(search.requests[0]!);
        assert.deepEqual(
          done.result?.sources,
          [hits[0]!, hits[2]!].map(({ title, url }) => ({ title, url })),
        );
        const { sources } = (await worker.writeTask(rid)).payload;
        assert.deepEqual(sources, [
          { title: 'Starter guide', url: hits[0]!.url, snippet: 'How to keep a starter.', text: ARTICLE_TEXT },
          { title: 'Feeding schedule', url: hits[2]!.url, snippet: 'Feeding a starter.', text: FEEDING_TEXT },
        ]);
      } finally {
        await worker.close();
        await search.close();
      }
    });
  }
});
