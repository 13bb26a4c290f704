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

export function hasSourcesSection(markdown: string): boolean {
  return /^#{1,6}\s*(?:sources|references)\s*:?\s*$/im.test(markdown);
}
