import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError } from '@pressroom/contracts';
import { createLogger } from '@pressroom/logger';
import { createBreakers, createUserTargetClient } from '@pressroom/resilience';
import { createMetrics } from '@pressroom/telemetry';
import { startHttpStub, type HttpStub, type StubReply } from '@pressroom/test-support';
import { createPageFetcher } from '../../src/extract/page-fetcher.ts';
import { ROBOTS_MAX_BYTES } from '../../src/extract/robots-policy.ts';

const page = (text: string): StubReply => ({
  body: Buffer.from(`<html><body><article><p>${text}</p></article></body></html>`),
  headers: { 'content-type': 'text/html' },
});
const robots = (text: string): StubReply => ({ body: Buffer.from(text), headers: { 'content-type': 'text/plain' } });

describe('page fetcher and robots.txt (stub sites on their own origins)', () => {
  const breakers = createBreakers({ service: 'research', logger: createLogger({ service: 'research', level: 'silent' }), metrics: createMetrics('research') });
  const fetchPage = createPageFetcher({
    client: createUserTargetClient({ timeoutMs: 5000, allowPrivateTargets: true }),
    breakers,
    maxBytes: 1 << 20,
    userAgent: 'PressroomTest/1.0',
  });
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'fetched',
      (err: unknown) => (err instanceof TaskError ? err.code : String(err)),
    );
  // A site whose pages moved to another site, and that other site, whose robots.txt keeps crawlers out of /secret/.
  let moved: HttpStub;
  let target: HttpStub;
  let large: HttpStub;
  let largeCr: HttpStub;
  let unreadable: HttpStub;

  before(async () => {
    target = await startHttpStub((req) => {
      if (req.path === '/robots.txt') return robots('User-agent: *\nDisallow: /secret/\n');
      return page(`the page at ${req.path}`);
    });
    moved = await startHttpStub((req) => {
      if (req.path === '/robots.txt') return robots('User-agent: *\nAllow: /\n');
      if (req.path === '/moved-away') return { status: 302, headers: { location: `${unreadable.url}/page` } };
      const to = { '/moved-secret': '/secret/page', '/moved-open': '/open/page' }[req.path];
      return to ? { status: 301, headers: { location: `${target.url}${to}` } } : { status: 404 };
    });
    // A robots.txt longer than a crawler must parse: a rule in its first 500 KiB, another after them.
    const padding = '# padding to make the file long\n'.repeat(Math.ceil(ROBOTS_MAX_BYTES / 32) + 100);
    large = await startHttpStub((req) => {
      if (req.path === '/robots.txt') return robots(`User-agent: *\nDisallow: /early/\n${padding}Disallow: /late/\n`);
      return page(`the page at ${req.path}`);
    });
    // The same with old Mac line endings (CR only), which RFC 9309 allows.
    const crPadding = '# padding to make the file long\r'.repeat(Math.ceil(ROBOTS_MAX_BYTES / 32) + 100);
    largeCr = await startHttpStub((req) => {
      if (req.path === '/robots.txt') return robots(`User-agent: *\rDisallow: /early/\r${crPadding}Disallow: /late/\r`);
      return page(`the page at ${req.path}`);
    });
    // A site whose robots.txt cannot be read (503): no page there may be fetched, for now.
    unreadable = await startHttpStub((req) => (req.path === '/robots.txt' ? { status: 503 } : page('never fetched')));
  });

  after(async () => {
    breakers.close();
    await Promise.all([moved.close(), target.close(), large.close(), largeCr.close(), unreadable.close()]);
  });

  it("when a page redirects to another host, then that host's robots.txt decides, and a disallowed target is never requested", async () => {
    assert.equal(await codeOf(fetchPage(`${moved.url}/moved-secret`)), 'robots_disallowed');
    assert.deepEqual(
      target.requests.map((r) => r.path),
      ['/robots.txt'],
      'the target site was asked only for its robots.txt',
    );
    assert.match(await fetchPage(`${moved.url}/moved-open`), /the page at \/open\/page/);
    assert.deepEqual(
      target.requests.map((r) => r.path),
      ['/robots.txt', '/open/page'],
      'robots.txt is read once per host',
    );
  });

  it('when robots.txt is longer than 500 KiB, then its first 500 KiB are parsed and the rest is ignored, not the whole host refused', async () => {
    assert.equal(await codeOf(fetchPage(`${large.url}/early/page`)), 'robots_disallowed', 'a rule within the limit holds');
    assert.match(await fetchPage(`${large.url}/late/page`), /the page at \/late\/page/, 'a rule past the limit is not read');
    assert.match(await fetchPage(`${large.url}/other`), /the page at \/other/);
  });

  it("when pages redirect to a host whose robots.txt cannot be read, then they fail robots_unavailable, and the first host's breaker stays closed", async () => {
    for (let i = 0; i < 6; i++) assert.equal(await codeOf(fetchPage(`${moved.url}/moved-away`)), 'robots_unavailable');
    assert.match(await fetchPage(`${moved.url}/moved-open`), /the page at \/open\/page/, "the redirecting host's own pages are still fetched");
    assert.ok(!unreadable.requests.some((r) => r.path === '/page'));
  });

  it('when a long robots.txt uses CR line endings, then its first 500 KiB are parsed just the same', async () => {
    assert.equal(await codeOf(fetchPage(`${largeCr.url}/early/page`)), 'robots_disallowed');
    assert.match(await fetchPage(`${largeCr.url}/late/page`), /the page at \/late\/page/);
  });
});
