import MarkdownItCallable, { type MarkdownIt, type StateInline } from 'markdown-it';
import type { Article } from '@pressroom/contracts';

const SAFE_LINK = /^(?:https?:|mailto:)/i;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_PAREN = 0x28;
const MAX_CITATION_DIGITS = 3;

/** What a render needs besides the Markdown: the sources that `[n]` citations point at (1-based). */
export interface RenderEnv {
  sources?: Article['sources'];
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * `[n]` becomes a link to source n, titled with its name. Runs before markdown-it's own link rule, so
 * `[1][2]` is two citations; `[1](url)` is still an ordinary link, and a number with no source stays text.
 */
function citation(md: MarkdownIt) {
  return (state: StateInline, silent: boolean): boolean => {
    const start = state.pos;
    if (state.src.charCodeAt(start) !== OPEN_BRACKET || state.linkLevel > 0) return false;
    let end = start + 1;
    while (end < state.posMax && end - start <= MAX_CITATION_DIGITS && state.src.charCodeAt(end) >= 0x30 && state.src.charCodeAt(end) <= 0x39) end++;
    if (end === start + 1 || state.src.charCodeAt(end) !== CLOSE_BRACKET || state.src.charCodeAt(end + 1) === OPEN_PAREN) return false;
    const n = Number(state.src.slice(start + 1, end));
    const source = (state.env as RenderEnv).sources?.[n - 1];
    const href = source ? md.normalizeLink(source.url) : '';
    if (!source || !md.validateLink(href)) return false;
    if (!silent) {
      const open = state.push('link_open', 'a', 1);
      open.attrs = [
        ['href', href],
        ['class', 'citation'],
        ['title', source.title],
      ];
      state.push('text', '', 0).content = `[${n}]`;
      state.push('link_close', 'a', -1);
    }
    state.pos = end + 1;
    return true;
  };
}

/**
 * CommonMark plus tables and strikethrough (markdown-it), for posts built from model and web text: raw HTML
 * is off (it comes out escaped), links and autolinks keep only http(s) and mailto targets, images are off
 * (no tracking pixels or remote content in a post), and `[n]` citations link to the article's sources.
 */
function createRenderer(): MarkdownIt {
  const md = new MarkdownItCallable('default', { html: false, linkify: false, typographer: false });
  md.validateLink = (url) => SAFE_LINK.test(url.trim());
  md.disable('image');
  md.inline.ruler.before('link', 'citation', citation(md));
  return md;
}

const renderer = createRenderer();

export function markdownToHtml(markdown: string, env: RenderEnv = {}): string {
  return renderer.render(markdown, { ...env });
}
