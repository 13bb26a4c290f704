import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub, type HttpStub } from '@pressroom/test-support';
import { ARTICLE_HTML, researchTask, startResearchWorker, type ResearchWorker } from './research-harness.ts';

describe('research worker, two trust levels for outbound calls (real RabbitMQ and Redis, stub SearXNG and pages)', () => {
  let searxng: HttpStub;
  let pages: HttpStub;
  let worker: ResearchWorker;
  before(async () => {
    pages = await startHttpStub(() => ({ body: ARTICLE_HTML }));
    searxng = await startHttpStub(() => ({
      body: {
        results: [
          { title: 'Loopback page', url: `${pages.url}/starter-guide`, content: 'sourdough starter' },
          { title: 'Named loopback page', url: `${pages.url.replace('127.0.0.1', 'localhost')}/feeding`, content: 'sourdough starter' },
          { title: 'Metadata service', url: 'http://169.254.169.254/latest/meta-data/', content: 'sourdough starter' },
        ],
      },
    }));
    // The documented set-up: a self-hosted SearXNG on a private address, with the private allowance off.
    worker = await startResearchWorker({
      SEARCH_PROVIDER: 'searxng',
      SEARXNG_URL: `${searxng.url}/`,
      ALLOW_PRIVATE_TARGETS: 'false',
      STARTED_EVENT_DELAY_MS: '0',
    });
  });
  after(async () => {
    await worker.close();
    await searxng.close();
    await pages.close();
  });

  it('when SearXNG is on a private address and ALLOW_PRIVATE_TARGETS=false, then the search is made but the private pages it returns are never fetched', async () => {
    const rid = await worker.submit(researchTask('sourdough starter'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && (e.type === 'failed' || e.type === 'completed'));
    assert.equal(searxng.requests.length, 1, 'the operator-configured endpoint is trusted as configured');
    assert.equal(pages.requests.length, 0, 'no page, robots.txt or redirect on a private address was asked for');
    assert.equal(failed.type, 'failed');
    assert.equal(failed.error?.code, 'no_sources');
    assert.match(failed.error?.message ?? '', /dropped 3: 3 target_forbidden/);
    assert.doesNotMatch(failed.error?.message ?? '', /127\.0\.0\.1|169\.254|localhost/, 'no address reaches the user');
  });
});
