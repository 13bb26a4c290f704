import { TextDecoder } from 'node:util';
import sniffHtmlEncoding from 'html-encoding-sniffer';
import { permanentError } from '@pressroom/contracts';

export type PageKind = 'html' | 'text';

const KINDS = new Map<string, PageKind>([
  ['text/html', 'html'],
  ['application/xhtml+xml', 'html'],
  ['text/plain', 'text'],
]);
// Replacement characters and NULs beyond this share of the text mean the bytes were not text in that charset.
const GARBLED_SHARE = 0.1;

/** What a Content-Type says: the page kind (or a refusal for anything else) and its charset label, if any. */
export function parseContentType(contentType: string): { kind: PageKind; charset: string | undefined } {
  const [essence = '', ...params] = contentType.split(';');
  const type = essence.trim().toLowerCase();
  const kind = KINDS.get(type);
  if (!kind) throw permanentError('unsupported_content_type', `cannot extract text from ${type || 'a body without a content type'}`);
  const charset = params
    .map((p) => p.trim())
    .find((p) => p.toLowerCase().startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^["']|["']$/g, '')
    .trim();
  return { kind, charset: charset || undefined };
}

function decoderFor(encoding: string, fatal = false): TextDecoder {
  try {
    return new TextDecoder(encoding, { fatal });
  } catch {
    throw permanentError('page_undecodable', `the page is in ${encoding}, which this worker cannot decode`);
  }
}

/** UTF-8 when the bytes are valid UTF-8, else windows-1252 (the HTML Standard's default for most locales). */
function decodeUndeclared(bytes: Uint8Array): string {
  try {
    return decoderFor('utf-8', true).decode(bytes);
  } catch (err) {
    if (err instanceof TypeError) return decoderFor('windows-1252').decode(bytes);
    throw err;
  }
}

// Judged on the start of the text: enough to tell, and bounded whatever the page size.
const GARBLED_SAMPLE = 65_536;

function garbled(text: string): boolean {
  const n = Math.min(text.length, GARBLED_SAMPLE);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || c === 0) bad++;
  }
  return bad > n * GARBLED_SHARE;
}

// Returned by the sniffer when neither a BOM, the Content-Type nor a <meta> named a charset.
const UNDECLARED = 'x-undeclared';

/**
 * Decodes a page in its own charset: a byte order mark first, then the Content-Type charset, then (for HTML)
 * a `<meta charset>` or `http-equiv` declaration in the first 1024 bytes, per the HTML Standard's sniffing
 * algorithm (html-encoding-sniffer); with no declaration at all, UTF-8 if the bytes are valid UTF-8, else
 * windows-1252. Bytes that come out mostly as replacement characters are refused as `page_undecodable`.
 */
export function decodePage(bytes: Uint8Array, kind: PageKind, charset: string | undefined): string {
  // maxPrescanBytes (html-encoding-sniffer ≥ 7) is missing from its published types; 0 skips <meta> for plain text.
  const options = { transportLayerEncodingLabel: charset, defaultEncoding: UNDECLARED, maxPrescanBytes: kind === 'html' ? 1024 : 0 };
  const encoding = sniffHtmlEncoding(bytes, options as sniffHtmlEncoding.Options);
  const text = encoding === UNDECLARED ? decodeUndeclared(bytes) : decoderFor(encoding).decode(bytes);
  if (garbled(text))
    throw permanentError('page_undecodable', `the page's bytes do not decode as ${encoding === UNDECLARED ? 'UTF-8 or windows-1252' : encoding}`);
  return text;
}
