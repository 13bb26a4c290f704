/**
 * A deliberately small Markdown renderer for WordPress posts: headings, paragraphs, lists, fenced code,
 * links, emphasis and inline code. Everything is HTML-escaped first, so no tag or attribute from the
 * article survives; links keep only http(s) and mailto targets (no `javascript:`).
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

function renderInline(escaped: string): string {
  // Code spans are set aside first (behind a private-use marker stripped from the input) so that nothing
  // inside them is read as a link or emphasis.
  const codes: string[] = [];
  let out = escaped.replace(/`([^`]+)`/g, (_m, code: string) => `\uE000${codes.push(`<code>${code}</code>`) - 1}\uE000`);
  out = out.replace(/\[([^\]]+)\]\(([^()\s]+)\)/g, (_m, label: string, href: string) => (SAFE_HREF.test(href) ? `<a href="${href}">${label}</a>` : label));
  out = out.replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>').replace(/(^|[^\w])__(?=\S)(.+?)__(?![\w])/g, '$1<strong>$2</strong>');
  out = out.replace(/\*(?=\S)([^*]+?)\*/g, '<em>$1</em>').replace(/(^|[^\w])_(?=\S)([^_]+?)_(?![\w])/g, '$1<em>$2</em>');
  return out.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => codes[Number(i)] ?? '');
}

type Block = { kind: 'p' | 'ul' | 'ol'; lines: string[] };

export function markdownToHtml(markdown: string): string {
  const lines = escapeHtml(markdown.replace(/\uE000/g, '')).split(/\r?\n/);
  const html: string[] = [];
  let block: Block | undefined;
  const flush = () => {
    if (!block) return;
    if (block.kind === 'p') html.push(`<p>${renderInline(block.lines.join('\n'))}</p>`);
    else html.push(`<${block.kind}>${block.lines.map((l) => `<li>${renderInline(l)}</li>`).join('')}</${block.kind}>`);
    block = undefined;
  };
  const add = (kind: Block['kind'], line: string) => {
    if (block?.kind !== kind) flush();
    block ??= { kind, lines: [] };
    block.lines.push(line);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    let m: RegExpMatchArray | null;
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !/^\s*```/.test(lines[i] ?? '')) code.push(lines[i] ?? '');
      html.push(`<pre><code>${code.join('\n')}</code></pre>`);
    } else if ((m = line.match(/^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/))) {
      flush();
      const level = m[1]!.length;
      html.push(`<h${level}>${renderInline(m[2] ?? '')}</h${level}>`);
    } else if ((m = line.match(/^\s*[-*+]\s+(.*)$/))) add('ul', m[1] ?? '');
    else if ((m = line.match(/^\s*\d{1,9}[.)]\s+(.*)$/))) add('ol', m[1] ?? '');
    else if (line.trim() === '') flush();
    else add('p', line.trim());
  }
  flush();
  return html.join('\n');
}
