import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { LINE, pickMainText, toParagraph, visibleLength, type Paragraph, type TextBlock } from './main-text.ts';

// Subtrees whose text is never article text. `form` is kept: ASP.NET pages wrap the whole body in one.
const DROPPED = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'canvas',
  'audio',
  'video',
  'title',
  'nav',
  'aside',
  'dialog',
  'select',
  'button',
  'textarea',
  'menu',
]);
// Site chrome, except inside an article or main, where a <header> holds the article's own heading.
const CHROME = new Set(['header', 'footer']);
const BLOCK = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'section',
  'article',
  'main',
  'blockquote',
  'pre',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'td',
  'th',
  'caption',
  'figure',
  'figcaption',
  'address',
  'details',
  'summary',
  'header',
  'footer',
  'body',
  'html',
  'center',
  'fieldset',
  'legend',
  'form',
]);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
// Opening one of these while the same kind is open closes it (HTML's implied end tags, the common cases).
// A Map, not an object: tag names come from the page (`<constructor>` must not find Object.prototype's).
const IMPLIED_BY = new Map<string, readonly string[]>([
  ['p', ['p']],
  ['li', ['li']],
  ['dt', ['dt', 'dd']],
  ['dd', ['dt', 'dd']],
  ['tr', ['tr', 'td', 'th']],
  ['td', ['td', 'th']],
  ['th', ['td', 'th']],
  ['option', ['option']],
]);
const BOILERPLATE_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'menu', 'menubar', 'search', 'dialog', 'alert']);
// Matched against one class or id token at a time (bounded length), never against markup.
const BOILERPLATE_TOKEN =
  /^(?:nav|navbar|navigation|menu|breadcrumbs?|sidebar|footer|cookies?|cookie-banner|consent|banner|share|social|related|comments?|advert|ads?|promo|subscribe|newsletter|skip-link|masthead|site-header|site-footer)$/;
const KEPT_ATTRIBUTES = new Set(['class', 'id', 'role', 'hidden', 'aria-hidden']);
// Deeper nesting is pathological (browsers cap at 512 too); its text is ignored rather than tracked.
const MAX_DEPTH = 256;
const ATTRIBUTE_MAX = 512;
const TITLE_MAX = 1000;
// Text kept per scope (body, main, article): far more than a source carries, little enough to join at once.
const TEXT_MAX = 200_000;

interface Frame {
  name: string;
  drop: boolean;
  block: boolean;
  /** 2 for <article> (or role=article), 1 for <main> (or role=main), else 0. */
  content: number;
}

export interface PageText {
  title: string;
  text: string;
}

function isBoilerplate(name: string, attrs: Map<string, string>): boolean {
  if (attrs.has('hidden') || attrs.get('aria-hidden') === 'true') return true;
  if (BOILERPLATE_ROLES.has(attrs.get('role') ?? '')) return true;
  if (name === 'html' || name === 'body' || name === 'main' || name === 'article') return false;
  const tokens = `${attrs.get('class') ?? ''} ${attrs.get('id') ?? ''}`.toLowerCase().split(/\s+/);
  return tokens.some((token) => BOILERPLATE_TOKEN.test(token));
}

/**
 * Reads one HTML document into title and text with htmlparser2's tokenizer and a stack of our own, bounded
 * in depth. htmlparser2's Parser keeps its open elements in an array it `unshift`s and searches on every tag,
 * which is quadratic in nesting depth (a page of 400 000 unclosed `<div>` took 107 s); the tokenizer alone is
 * a linear state machine. `write` takes the document in slices so a caller can yield between them.
 */
export function createHtmlReader(html: string) {
  const stack: Frame[] = [];
  const openCount = new Map<string, number>();
  const paragraphs: Paragraph[] = [];
  let block: TextBlock = { parts: [], chars: 0, linkChars: 0, scope: 0 };
  const kept = [0, 0, 0];
  let overflow = 0;
  let dropDepth = 0;
  let linkDepth = 0;
  let foreignDepth = 0;
  let articleDepth = 0;
  let mainDepth = 0;
  let title = '';
  let titleState: 'before' | 'in' | 'done' = 'before';
  let h1 = '';
  let h1State: 'before' | 'in' | 'done' = 'before';
  let tagName = '';
  let attrName = '';
  let attrValue = '';
  const attrs = new Map<string, string>();

  const breakBlock = () => {
    if (block.parts.length === 0) return;
    const paragraph = toParagraph(block);
    if (paragraph) paragraphs.push(paragraph);
    block = { parts: [], chars: 0, linkChars: 0, scope: 0 };
  };
  const addText = (text: string) => {
    if (titleState === 'in') {
      if (title.length < TITLE_MAX) title += text;
      return;
    }
    if (overflow > 0 || dropDepth > 0 || text.length === 0) return;
    if (h1State === 'in' && h1.length < TITLE_MAX) h1 += text;
    const scope = articleDepth > 0 ? 2 : mainDepth > 0 ? 1 : 0;
    const keptSoFar = kept[scope] ?? 0;
    if (keptSoFar >= TEXT_MAX) return;
    kept[scope] = keptSoFar + text.length;
    const visible = visibleLength(text);
    block.parts.push(text);
    block.chars += visible;
    if (linkDepth > 0) block.linkChars += visible;
    block.scope = Math.max(block.scope, scope);
  };
  const count = (frame: Frame, delta: 1 | -1) => {
    openCount.set(frame.name, (openCount.get(frame.name) ?? 0) + delta);
    if (frame.drop) dropDepth += delta;
    if (frame.name === 'a') linkDepth += delta;
    if (frame.name === 'svg' || frame.name === 'math') foreignDepth += delta;
    if (frame.content === 2) articleDepth += delta;
    if (frame.content === 1) mainDepth += delta;
  };
  const pop = () => {
    const frame = stack.pop();
    if (!frame) return;
    count(frame, -1);
    if (frame.name === 'title' && titleState === 'in') titleState = 'done';
    if (frame.name === 'h1' && h1State === 'in') h1State = 'done';
    if (frame.block) breakBlock();
  };

  const openTag = (name: string, selfClosing: boolean) => {
    if (VOID.has(name)) {
      if (name === 'br') addText(LINE);
      else if (name === 'hr') breakBlock();
      return;
    }
    if (overflow > 0 || stack.length >= MAX_DEPTH) {
      overflow++;
      return;
    }
    const closes = IMPLIED_BY.get(name);
    if (closes && closes.includes(stack.at(-1)?.name ?? '')) pop();
    else if (BLOCK.has(name) && name !== 'li' && stack.at(-1)?.name === 'p') pop();
    const inContent = articleDepth > 0 || mainDepth > 0;
    const drop = DROPPED.has(name) || (CHROME.has(name) && !inContent) || isBoilerplate(name, attrs);
    const role = attrs.get('role');
    const content = name === 'article' || role === 'article' ? 2 : name === 'main' || role === 'main' ? 1 : 0;
    const frame: Frame = { name, drop, block: BLOCK.has(name), content };
    if (frame.block) breakBlock();
    stack.push(frame);
    count(frame, 1);
    if (name === 'title' && titleState === 'before' && foreignDepth === 0) titleState = 'in';
    if (name === 'h1' && h1State === 'before' && dropDepth === 0) h1State = 'in';
    // In HTML a self-closing flag is ignored except on foreign (SVG/MathML) elements.
    if (selfClosing && foreignDepth > 0) pop();
  };

  const closeTag = (name: string) => {
    if (overflow > 0) {
      overflow--;
      return;
    }
    if (name === 'br') return addText(LINE);
    if (name === 'p' && !openCount.get('p')) return breakBlock();
    if (!openCount.get(name)) return;
    while (stack.length > 0 && stack.at(-1)?.name !== name) pop();
    pop();
  };

  const endAttribute = () => {
    if (attrName && !attrs.has(attrName)) attrs.set(attrName, attrValue.trim());
    attrName = '';
    attrValue = '';
  };

  const callbacks: TokenizerCallbacks = {
    ontext: (start, end) => addText(html.slice(start, end)),
    ontextentity: (codepoint) => addText(String.fromCodePoint(codepoint)),
    onopentagname: (start, end) => {
      tagName = html.slice(start, end).toLowerCase();
      attrs.clear();
    },
    onattribname: (start, end) => {
      const name = html.slice(start, end).toLowerCase();
      attrName = KEPT_ATTRIBUTES.has(name) ? name : '';
    },
    onattribdata: (start, end) => {
      if (attrName && attrValue.length < ATTRIBUTE_MAX) attrValue += html.slice(start, Math.min(end, start + ATTRIBUTE_MAX));
    },
    onattribentity: (codepoint) => {
      if (attrName && attrValue.length < ATTRIBUTE_MAX) attrValue += String.fromCodePoint(codepoint);
    },
    onattribend: () => endAttribute(),
    onopentagend: () => openTag(tagName, false),
    onselfclosingtag: () => openTag(tagName, true),
    onclosetag: (start, end) => closeTag(html.slice(start, end).toLowerCase()),
    oncomment: () => undefined,
    oncdata: () => undefined,
    ondeclaration: () => undefined,
    onprocessinginstruction: () => undefined,
    onend: () => undefined,
    isInForeignContext: () => foreignDepth > 0,
  };
  const tokenizer = new Tokenizer({ decodeEntities: true }, callbacks);

  return {
    /** Feeds `html.slice(start, end)`; slices must be fed in order and cover the whole document. */
    write(start: number, end: number): void {
      tokenizer.write(html.slice(start, end));
    },
    finish(): PageText {
      tokenizer.end();
      breakBlock();
      const pageTitle = collapse(title) || collapse(h1);
      return { title: pageTitle.slice(0, TITLE_MAX), text: pickMainText(paragraphs) };
    },
  };
}

function collapse(text: string): string {
  return text.split(LINE).join(' ').replace(/\s+/g, ' ').trim();
}
