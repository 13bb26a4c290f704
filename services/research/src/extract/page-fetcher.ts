import { classifyHttpError, fetchLimited, type Breakers, type HttpClient, type LimitedBody } from '@pressroom/resilience';
import { decodePage, parseContentType } from './decode-page.ts';
import { htmlToTextInSlices } from './html-to-text.ts';
import { createRobotsPolicy } from './robots-policy.ts';
import { createSerialQueue } from './serial-queue.ts';

export type PageFetcher = (url: string) => Promise<string>;

// Linear extraction of a FETCH_MAX_BYTES page takes well under a second here; this bounds the pathological rest.
export const EXTRACT_BUDGET_MS = 3000;

function tidyPlainText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Readable text out of a fetched body: decoded in its own charset, HTML extracted in time slices (see
 * htmlToTextInSlices), plain text tidied; any other content type is refused (`unsupported_content_type`).
 */
export async function extractReadableText(body: Uint8Array, contentType: string, budgetMs = EXTRACT_BUDGET_MS): Promise<string> {
  const { kind, charset } = parseContentType(contentType);
  const text = decodePage(body, kind, charset);
  return kind === 'html' ? (await htmlToTextInSlices(text, { budgetMs })).text : tidyPlainText(text);
}

export interface PageFetcherDeps {
  client: HttpClient;
  breakers: Breakers;
  /** FETCH_MAX_BYTES: a longer page (after decompression) is refused, not truncated. */
  maxBytes: number;
  /** FETCH_USER_AGENT: sent with every page and robots.txt request, and matched in robots.txt. */
  userAgent: string;
}

/**
 * Fetches one page's readable text, size-capped, under a breaker per host (one slow site opens its own
 * breaker without blocking pages from every other site), after robots.txt has allowed it and each redirect hop. Each failure
 * carries its reason as a code: robots_disallowed, response_too_large, unsupported_content_type,
 * page_undecodable, page_extract_timeout, or the HTTP failure (upstream_timeout, upstream_404, ...).
 */
export function createPageFetcher(deps: PageFetcherDeps): PageFetcher {
  const headers = { accept: 'text/html,application/xhtml+xml,text/plain;q=0.9', 'user-agent': deps.userAgent };
  const assertRobotsAllow = createRobotsPolicy({ client: deps.client, userAgent: deps.userAgent });
  // One page at a time: each extraction yields every few ms, but seven side by side would each take their
  // few ms in the same turn of the event loop.
  const oneAtATime = createSerialQueue();
  return async (url) => {
    const host = new URL(url).host;
    await assertRobotsAllow(url);
    // A redirect is followed only where robots.txt allows it: a page that moved to another host (or path) is
    // fetched under that host's rules, not only under the rules of the host it was found on. What the hop's
    // robots.txt says (or that it could not be read) is about that host, so it is kept out of this host's breaker.
    let hopRefusal: unknown;
    const checkHop = (hop: string) =>
      assertRobotsAllow(hop).catch((err: unknown) => {
        hopRefusal = err;
        throw err;
      });
    const page = await deps.breakers.call(
      `fetch:${host}`,
      async (): Promise<LimitedBody | undefined> => {
        try {
          return await fetchLimited(deps.client, url, deps.maxBytes, headers, checkHop);
        } catch (err) {
          if (hopRefusal) return undefined;
          throw classifyHttpError(err, `fetch ${host}`);
        }
      },
      { scope: 'target' },
    );
    if (!page) throw hopRefusal;
    return oneAtATime(() => extractReadableText(page.body, page.contentType));
  };
}
