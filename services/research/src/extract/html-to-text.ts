import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { decodeHTML } from 'entities';
import { permanentError } from '@pressroom/contracts';
import { createHtmlReader, type PageText } from './html-reader.ts';

export type { PageText } from './html-reader.ts';

/** Decodes HTML character references (the full WHATWG table) in a plain string such as a search snippet. */
export function decodeEntities(text: string): string {
  return decodeHTML(text);
}

/** Title and readable text of an HTML document, in one synchronous pass (for small, trusted files). */
export function htmlToText(html: string): PageText {
  const reader = createHtmlReader(html);
  reader.write(0, html.length);
  return reader.finish();
}

export interface SlicedExtraction {
  /** Wall-clock budget for the whole page; past it the page is refused. */
  budgetMs: number;
  /** Longest stretch of tokenizing between two turns of the event loop. */
  turnMs?: number;
}

// Small enough that one piece stays in the low milliseconds even before the JIT has compiled the tokenizer.
const PIECE_CHARS = 4096;
const TURN_MS = 8;

/**
 * The same extraction for pages from the web: the document is tokenized piece by piece, yielding to the event
 * loop every few milliseconds, so a page of any size holds up heartbeats and acks for one turn at a time (the
 * total cost is linear, see createHtmlReader); a page that takes longer than its budget in all is refused.
 */
export async function htmlToTextInSlices(html: string, opts: SlicedExtraction): Promise<PageText> {
  const turnMs = opts.turnMs ?? TURN_MS;
  const deadline = performance.now() + opts.budgetMs;
  const reader = createHtmlReader(html);
  let start = 0;
  while (start < html.length) {
    const turnEnd = performance.now() + turnMs;
    do {
      const end = Math.min(html.length, start + PIECE_CHARS);
      reader.write(start, end);
      start = end;
    } while (start < html.length && performance.now() < turnEnd);
    await yieldToEventLoop();
    if (performance.now() > deadline) throw permanentError('page_extract_timeout', `extracting the page took longer than ${opts.budgetMs} ms`);
  }
  return reader.finish();
}
