/** A run of text between two block boundaries; `scope` is 2 inside an article, 1 inside the main content, else 0. */
export interface TextBlock {
  parts: string[];
  chars: number;
  linkChars: number;
  scope: number;
}

export interface Paragraph {
  text: string;
  scope: number;
}

// A block whose visible text is mostly link text is a menu, a breadcrumb or a list of teasers.
const LINK_DENSITY_MAX = 0.5;
// The reader marks <br> with this character; it becomes a line break within the paragraph.
export const LINE = '\u0001';

/** Characters that are not whitespace: link density is measured on what a reader sees. */
export function visibleLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 32 && c !== 160) n++;
  }
  return n;
}

/** A finished block as a paragraph (whitespace collapsed, <br> kept as line breaks), or undefined when it is boilerplate or empty. */
export function toParagraph(block: TextBlock): Paragraph | undefined {
  if (block.chars === 0 || block.linkChars > block.chars * LINK_DENSITY_MAX) return undefined;
  const text = block.parts
    .join('')
    .split(LINE)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
  return text ? { text, scope: block.scope } : undefined;
}

/**
 * The page's main text: paragraphs inside <article> if there are any, else inside <main>, else all of them,
 * separated by a blank line.
 */
export function pickMainText(paragraphs: readonly Paragraph[]): string {
  let best = 0;
  for (const p of paragraphs) if (p.scope > best) best = p.scope;
  return paragraphs
    .filter((p) => p.scope >= best)
    .map((p) => p.text)
    .join('\n\n');
}
