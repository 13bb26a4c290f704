import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ConfigSchema } from '@pressroom/config';
import { TaskError } from '@pressroom/contracts';
import { htmlToText } from '../../src/extract/html-to-text.ts';
import { EXTRACT_BUDGET_MS, extractReadableText } from '../../src/extract/page-fetcher.ts';
import { BOILERPLATE_PAGE, BOILERPLATE_TEXT, hostilePages, windows1252 } from '../support/hostile-pages.ts';

const FETCH_MAX_BYTES = ConfigSchema.properties.FETCH_MAX_BYTES.default as number;
const LOOP_DELAY_MAX_MS = 50;

/** Runs `work` while sampling the event loop every 5 ms: how long it took, the main thread's CPU time, the longest stall. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number; stallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const start = performance.now();
  const cpu = process.threadCpuUsage();
  try {
    const value = await work();
    const used = process.threadCpuUsage(cpu);
    return { value, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, stallMs: delay.max / 1e6 };
  } finally {
    delay.disable();
  }
}

/**
 * The run with the shortest longest-stall of up to three: a stall the code causes repeats on every run,
 * while one from the machine (two shared cores, other test files running) rarely hits three runs in a row.
 */
async function quietestOf3<T>(work: () => Promise<T>) {
  let best = await timed(work);
  for (let i = 1; i < 3 && best.stallMs >= LOOP_DELAY_MAX_MS; i++) {
    const next = await timed(work);
    if (next.stallMs < best.stallMs) best = next;
  }
  return best;
}

describe('hostile pages are extracted in linear time without stalling the event loop', () => {
  for (const [name, html] of Object.entries(hostilePages(FETCH_MAX_BYTES))) {
    it(`when a page of exactly FETCH_MAX_BYTES is ${name}, then it is extracted within the budget and no turn of the event loop waits ${LOOP_DELAY_MAX_MS} ms`, async (t) => {
      const bytes = Buffer.from(html, 'latin1');
      assert.equal(bytes.length, FETCH_MAX_BYTES);
      const { value: text, ms, cpuMs, stallMs } = await quietestOf3(() => extractReadableText(bytes, 'text/html'));
      t.diagnostic(
        `${name}: extracted in ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU), longest event-loop stall ${stallMs.toFixed(1)} ms, ${text.length} characters of text`,
      );
      assert.ok(ms < EXTRACT_BUDGET_MS, `${ms} ms`);
      assert.ok(stallMs < LOOP_DELAY_MAX_MS, `the event loop waited ${stallMs.toFixed(1)} ms`);
    });
  }

  it('when <title> repeats, then the first one is the title and none of them leaks into the text', () => {
    const page = hostilePages(10_000)['repeated <title>']!;
    assert.deepEqual(htmlToText(page), { title: 'First title', text: '' });
    const unclosed = htmlToText(hostilePages(10_000)['repeated unclosed <title>']!);
    assert.ok(unclosed.title.length <= 1000 && unclosed.text === '', 'an unclosed title swallows the page, as in a browser, but stays bounded');
  });
});

describe('page charsets', () => {
  const body =
    '<html><head><title>Caf\u00e9 cr\u00e8me</title></head><body><p>\u201cCr\u00e8me br\u00fbl\u00e9e\u201d costs \u20ac5 \u2013 na\u00efve pricing.</p></body></html>';
  const expected = '\u201cCr\u00e8me br\u00fbl\u00e9e\u201d costs \u20ac5 \u2013 na\u00efve pricing.';

  it('when a windows-1252 page says so in Content-Type, then it is decoded as windows-1252', async () => {
    assert.equal(await extractReadableText(windows1252(body), 'text/html; charset=windows-1252'), expected);
  });

  it('when the charset is only in <meta charset> or <meta http-equiv>, then that charset is used', async () => {
    const meta = windows1252(body.replace('<head>', '<head><meta charset="windows-1252">'));
    assert.equal(await extractReadableText(meta, 'text/html'), expected);
    const equiv = windows1252(body.replace('<head>', '<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'));
    assert.equal(await extractReadableText(equiv, 'text/html'), expected, 'iso-8859-1 is windows-1252 by the Encoding Standard');
  });

  it('when no charset is declared, then valid UTF-8 is read as UTF-8 and anything else as windows-1252', async () => {
    assert.equal(await extractReadableText(Buffer.from(body, 'utf8'), 'text/html'), expected);
    assert.equal(await extractReadableText(windows1252(body), 'text/html'), expected);
  });

  it('when the header and the page disagree, then the header wins, and a byte order mark beats both', async () => {
    const utf8 = Buffer.from(body.replace('<head>', '<head><meta charset="windows-1252">'), 'utf8');
    assert.equal(await extractReadableText(utf8, 'text/html; charset=utf-8'), expected);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')]);
    assert.equal(await extractReadableText(bom, 'text/html; charset=windows-1252'), expected);
  });

  it('when the bytes are not text in any declared charset, then the page is refused as page_undecodable', async () => {
    const binary = Buffer.alloc(4096, 0);
    await assert.rejects(extractReadableText(binary, 'text/html; charset=utf-8'), (err) => err instanceof TaskError && err.code === 'page_undecodable');
    await assert.rejects(
      extractReadableText(Buffer.from('<p>x</p>'), 'text/html; charset=iso-2022-kr'),
      (err) => err instanceof TaskError && err.code === 'page_undecodable',
    );
  });
});

describe('main text', () => {
  it('when the article sits behind a link bar, a cookie banner, a menu and breadcrumbs, then only the article is kept', () => {
    assert.deepEqual(htmlToText(BOILERPLATE_PAGE), { title: 'Sourdough starter care', text: BOILERPLATE_TEXT });
  });

  it('when an <article> has its own <header>, then its heading is kept while the site header is dropped', () => {
    const html = '<header>Site name</header><article><header><h1>The heading</h1></header><p>Body.</p><footer>By a writer</footer></article>';
    assert.equal(htmlToText(html).text, 'The heading\n\nBody.\n\nBy a writer');
  });

  it('when tag names or content types are names of object properties, then they are ordinary unknown ones', async () => {
    assert.equal(htmlToText('<constructor><p>Kept <constructor>text</constructor>.</p></constructor>').text, 'Kept text.');
    await assert.rejects(extractReadableText(Buffer.from('x'), 'constructor'), (err) => err instanceof TaskError && err.code === 'unsupported_content_type');
  });

  it('when the main content is marked by role rather than by element, then it is preferred the same way', () => {
    assert.equal(htmlToText('<body><div>Chrome text.</div><div role="main"><p>Main text.</p></div></body>').text, 'Main text.');
    assert.equal(htmlToText('<body><main><p>Teaser.</p><div role="article"><p>Story.</p></div></main></body>').text, 'Story.');
  });

  it('when elements are hidden or have navigation roles, then their text is dropped', () => {
    const html = '<body><div role="navigation">Go places</div><div hidden>Secret</div><div aria-hidden="true">Icon</div><p>Shown.</p></body>';
    assert.equal(htmlToText(html).text, 'Shown.');
  });
});
