import type { Source } from '@pressroom/contracts';

type SourceRef = Pick<Source, 'title' | 'url'>;

/** Link text cannot hold unescaped brackets; URLs with spaces or parentheses need the <…> form (CommonMark 6.3). */
function link(source: SourceRef): string {
  const text = (source.title.replace(/\s+/g, ' ').trim() || source.url).replace(/([[\]\\])/g, '\\$1');
  const url = /[\s()<>]/.test(source.url) ? `<${source.url.replace(/[<>]/g, encodeURIComponent)}>` : source.url;
  return `[${text}](${url})`;
}

export function sourcesSection(sources: readonly SourceRef[]): string {
  return `## Sources\n\n${sources.map((s, i) => `${i + 1}. ${link(s)}`).join('\n')}\n`;
}

const LIST_HEADING = /^(#{1,6})\s*(?:sources|references|bibliography|works cited|further reading)\s*:?\s*$/i;
const HEADING = /^(#{1,6})\s/;

/**
 * The body without any list of sources the writer wrote itself: each such section, from its heading to the next
 * heading of the same or a higher level (or the end). A model adds one despite the prompt, often with URLs of its
 * own or numbered otherwise; the article's list is always built from the task's sources (sourcesSection).
 */
export function withoutSourcesSections(markdown: string): string {
  const out: string[] = [];
  let skipping = 0;
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s{0,3}(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : HEADING.exec(line);
    if (heading && skipping > 0 && heading[1]!.length <= skipping) skipping = 0;
    const list = fenced ? null : LIST_HEADING.exec(line.trim());
    if (list) skipping = list[1]!.length;
    if (skipping === 0) out.push(line);
  }
  return out.join('\n').trim();
}
