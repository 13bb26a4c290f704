import { permanentError } from '@pressroom/contracts';
import { classifyHttpError, fetchLimited, type Breakers, type HttpClient } from '@pressroom/resilience';
import { htmlToText } from './html-to-text.ts';

export type PageFetcher = (url: string) => Promise<string>;

/** Readable text out of a fetched body, by content type; anything but HTML or plain text is refused. */
export function extractReadableText(body: string, contentType: string): string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/html' || type === 'application/xhtml+xml') return htmlToText(body).text;
  if (type === 'text/plain') return body.replace(/\r\n?/g, '\n').replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
  throw permanentError('unsupported_content_type', `cannot extract text from ${type || 'a body without a content type'}`);
}

/**
 * Fetches one page's readable text, size-capped, under a breaker per host: one slow site opens its own
 * breaker without blocking pages from every other site.
 */
export function createPageFetcher(deps: { client: HttpClient; breakers: Breakers; maxBytes: number }): PageFetcher {
  return async (url) => {
    const host = new URL(url).host;
    return deps.breakers.call(`fetch:${host}`, async () => {
      let page: Awaited<ReturnType<typeof fetchLimited>>;
      try {
        page = await fetchLimited(deps.client, url, deps.maxBytes, { accept: 'text/html,application/xhtml+xml,text/plain;q=0.9' });
      } catch (err) {
        throw classifyHttpError(err, `fetch ${host}`);
      }
      return extractReadableText(page.body, page.contentType);
    });
  };
}
