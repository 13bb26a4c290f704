import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gzipBomb, startHttpStub, type HttpStub, type StubReply } from '@pressroom/test-support';
import { BOILERPLATE_PAGE, BOILERPLATE_TEXT, hostilePages, windows1252 } from '../support/hostile-pages.ts';
import { researchTask, startResearchWorker, type ResearchWorker } from './research-harness.ts';

// The strict 50 ms bound on one page's extraction is the unit test's (test/unit/hostile-pages.test.ts). Here the
// whole worker shares this process with the stub servers streaming 2 MB pages and a gzip bomb, and the test
// runner shares two cores with other test files: a bound of a few hundred ms still fails the old regex parser
// (seconds of backtracking per page) without failing on the machine's own scheduling.
const LOOP_DELAY_MAX_MS = 250;
const USER_AGENT = 'PressroomTest/1.0 (+https://pressroom.example.test/bot)';
const ROBOTS = 'User-agent: *\nDisallow: /everyone-keep-out/\n\nUser-agent: PressroomTest\nDisallow: /*/private/\n';
const CP1252_PAGE = windows1252(
  '<html><head><title>Sourdough starter \u2013 caf\u00e9 notes</title></head><body><article><p>A sourdough starter kept at the caf\u00e9 is fed \u201cequal weights\u201d of flour and water, which costs under \u20ac1 a week.</p></article></body></html>',
);
const CP1252_TEXT = 'A sourdough starter kept at the caf\u00e9 is fed \u201cequal weights\u201d of flour and water, which costs under \u20ac1 a week.';

describe('research worker meets hostile pages and answers (real RabbitMQ and Redis, stub Serper and page server)', () => {
  let pages: HttpStub;
  let search: HttpStub;
  let worker: ResearchWorker;
  let searchReply: StubReply;
  let paths: Record<string, StubReply>;

  before(async () => {
    // Each run asks for /run<n>/<page>, so that no run is served from the page cache of an earlier one.
    pages = await startHttpStub((req) => paths[req.path.replace(/^\/run\d+\//, '/')] ?? { status: 404, body: 'not found' });
    search = await startHttpStub(() => searchReply);
    worker = await startResearchWorker({
      SEARCH_PROVIDER: 'serper',
      SERPER_URL: `${search.url}/search`,
      SERPER_API_KEY: 'test-serper-key',
      FETCH_USER_AGENT: USER_AGENT,
      RESPONSE_MAX_BYTES: String(1 << 20),
      MIN_SOURCES: '2',
      SEARCH_RESULTS: '20',
      STARTED_EVENT_DELAY_MS: '0',
    });
    const size = worker.config.FETCH_MAX_BYTES;
    const html = (body: string | Buffer, type = 'text/html; charset=utf-8'): StubReply => ({
      body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'),
      headers: { 'content-type': type },
    });
    paths = {
      '/robots.txt': { body: Buffer.from(ROBOTS), headers: { 'content-type': 'text/plain' } },
      ...Object.fromEntries(Object.values(hostilePages(size)).map((page, i) => [`/hostile/${i}`, html(page)])),
      '/too-big': html(`<p>${'A sourdough starter is fed. '.repeat(Math.ceil(size / 27))}`.slice(0, size + 1)),
      '/gzip-bomb': { body: gzipBomb(300), headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' } },
      '/cp1252': html(CP1252_PAGE, 'text/html; charset=windows-1252'),
      '/boilerplate': html(BOILERPLATE_PAGE),
      '/private/secret': html(BOILERPLATE_PAGE),
    };
  });

  after(async () => {
    await worker.close();
    await search.close();
    await pages.close();
  });

  /** One research task over every page, at URLs of its own, so its pages are fetched and extracted, not read from the page cache. */
  async function researchAll(run: number) {
    const links = Object.keys(paths).filter((p) => p !== '/robots.txt');
    searchReply = { body: { organic: links.map((p, i) => ({ title: `Result ${i}`, link: `${pages.url}/run${run}${p}`, snippet: 'A page.' })) } };
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    // A topic per run as well: the search cache would answer a repeated query with the earlier run's links.
    const rid = await worker.submit(researchTask(['sourdough starter', 'the sourdough starter', 'a sourdough starter'][run - 1]!));
    await worker.events.waitFor((e) => e.request_id === rid && e.type === 'completed', 30_000);
    delay.disable();
    return { rid, pages: links.length, took: performance.now() - started, stallMs: delay.max / 1e6 };
  }

  it('when the results are hostile pages among good ones, then the worker stays responsive, skips the bad pages (the oversized and the gzip bomb refused unread) and keeps the good ones, honouring robots.txt', async (t) => {
    // As in the unit test: the quietest of up to three runs, since two shared cores can stall any process for a while.
    let best = await researchAll(1);
    for (let run = 2; run <= 3 && best.stallMs >= LOOP_DELAY_MAX_MS; run++) {
      const next = await researchAll(run);
      if (next.stallMs < best.stallMs) best = next;
    }
    t.diagnostic(
      `research over ${best.pages} pages (${Object.keys(hostilePages(1)).length} hostile ones of ${worker.config.FETCH_MAX_BYTES} bytes, one a byte longer, one a 300 MiB gzip bomb) took ${best.took.toFixed(0)} ms; longest event-loop stall ${best.stallMs.toFixed(1)} ms`,
    );
    assert.ok(best.stallMs < LOOP_DELAY_MAX_MS, `the event loop waited ${best.stallMs.toFixed(1)} ms`);
    assert.ok(best.took < 15_000, `${best.took} ms`);

    const { sources } = (await worker.writeTask(best.rid)).payload;
    assert.deepEqual(
      sources.map((s) => [new URL(s.url).pathname.replace(/^\/run\d+\//, '/'), s.text]),
      [
        ['/cp1252', CP1252_TEXT],
        ['/boilerplate', BOILERPLATE_TEXT],
      ],
    );
    const fetched = pages.requests.map((r) => r.path);
    assert.equal(fetched.filter((p) => p === '/robots.txt').length, 1, 'robots.txt is read once per host');
    assert.ok(!fetched.some((p) => p.includes('/private/')), 'a path robots.txt disallows for our agent is never fetched');
    for (const req of pages.requests) assert.equal(req.headers['user-agent'], USER_AGENT);
  });

  it('when the search API answers a gzip bomb, then the task fails as response_too_large without inflating it', async () => {
    searchReply = { body: gzipBomb(300), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
    const heldBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const rid = await worker.submit(researchTask('sourdough bomb'));
    const failed = await worker.events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    const grew = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heldBefore;
    assert.equal(failed.error?.code, 'response_too_large');
    assert.equal(failed.attempt, 1, 'refused for good, not retried');
    assert.ok(grew < 64 * (1 << 20), `memory grew by ${(grew / (1 << 20)).toFixed(1)} MiB`);
  });
});
