const DROPPED = ['head', 'script', 'style', 'nav', 'header', 'footer', 'aside', 'noscript', 'svg', 'form', 'template', 'iframe'];
const BLOCK = /<\/?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|section|article|main|blockquote|pre|table|thead|tbody|tr|figure|figcaption|hr|address|details|summary)\b[^>]*>/gi;
// Sentinels that survive whitespace collapsing; real NUL/SOH chars are stripped from input first.
const PARA = '\u0000';
const LINE = '\u0001';

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '',
  ndash: '–', mdash: '—', hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
  laquo: '«', raquo: '»', bull: '•', middot: '·', copy: '©', reg: '®', trade: '™',
  deg: '°', times: '×', divide: '÷', plusmn: '±', euro: '€', pound: '£', yen: '¥', cent: '¢',
  sect: '§', para: '¶', frac12: '½', frac14: '¼', frac34: '¾', micro: 'µ', minus: '−',
  eacute: 'é', egrave: 'è', aacute: 'á', agrave: 'à', uuml: 'ü', ouml: 'ö', auml: 'ä',
  ntilde: 'ñ', ccedil: 'ç', szlig: 'ß',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([a-zA-Z][a-zA-Z0-9]*));/g, (match, dec, hex, name) => {
    if (name !== undefined) return NAMED[name] ?? NAMED[name.toLowerCase()] ?? match;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
    const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : '\ufffd';
  });
}

// Removes innermost matches first so nested elements of the same tag are fully dropped.
function dropElements(html: string, tag: string): string {
  const inner = new RegExp(`<${tag}\\b[^>]*>(?:(?!<${tag}\\b)[\\s\\S])*?</${tag}\\s*>`, 'gi');
  let previous: string;
  let current = html;
  do {
    previous = current;
    current = current.replace(inner, ' ');
  } while (current !== previous);
  // An unclosed element (e.g. a truncated <script>) runs to the end of the document.
  return current.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*$`, 'i'), ' ');
}

function innerOf(html: string, tag: string): string | undefined {
  return new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*)</${tag}\\s*>`, 'i').exec(html)?.[1];
}

function toPlain(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

export function htmlToText(html: string): { title: string; text: string } {
  // eslint-disable-next-line no-control-regex -- \u0000/\u0001 are internal placeholders below, so input must not carry them
  const clean = html.replace(/[\u0000\u0001]/g, '').replace(/<!--[\s\S]*?(?:-->|$)/g, ' ');
  const rawTitle = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(clean)?.[1];
  const h1 = /<h1\b[^>]*>([\s\S]*?)<\/h1\s*>/i.exec(clean)?.[1];
  const title = toPlain(rawTitle ?? '') || toPlain(h1 ?? '');

  let body = DROPPED.reduce(dropElements, clean);
  body = innerOf(body, 'article') ?? innerOf(body, 'main') ?? innerOf(body, 'body') ?? body;

  const marked = body
    .replace(/<br\s*\/?>/gi, LINE)
    .replace(BLOCK, PARA)
    .replace(/<\/?(?:td|th)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  const text = decodeEntities(marked)
    .split(PARA)
    .map((para) => para.split(LINE).map((line) => line.replace(/\s+/g, ' ').trim()).filter(Boolean).join('\n'))
    .filter(Boolean)
    .join('\n\n');
  return { title, text };
}
