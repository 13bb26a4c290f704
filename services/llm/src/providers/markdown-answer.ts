import { transientError } from '@pressroom/contracts';
import type { Draft } from '../article/finalize-article.ts';

const HEADING = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/;
const SETEXT_UNDERLINE = /^\s{0,3}(?:=+|-+)\s*$/;
// "Sure, here is the article:" before the article proper.
const CHATTER = /:\s*$/;

/** Inline emphasis and a "Title:" label do not belong in a title. */
const plainTitle = (line: string): string =>
  line
    .replace(/^\s*(?:title|headline)\s*:\s*/i, '')
    .replace(/(\*\*|__|\*|_)(.+?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();

/** A whole answer wrapped in one ```markdown fence is unwrapped. */
function unfence(answer: string): string {
  const m = /^```(?:markdown|md)?[ \t]*\n([\s\S]*?)\n```\s*$/i.exec(answer);
  return m?.[1] ?? answer;
}

/**
 * A plain Markdown answer, what many servers return when they ignore `response_format`: the title is the
 * first heading (or, lacking one, the first line), the body is the rest, the summary its first paragraph.
 */
export function markdownDraft(answer: string): Draft {
  const lines = unfence(answer.trim()).split('\n');
  let first = lines.findIndex((l) => l.trim() !== '');
  const next = lines.findIndex((l, i) => i > first && l.trim() !== '');
  if (first >= 0 && CHATTER.test(lines[first] ?? '') && !HEADING.test(lines[first] ?? '') && HEADING.test(lines[next] ?? '')) first = next;
  const line = lines[first] ?? '';
  const title = plainTitle(HEADING.exec(line)?.[1] ?? line);
  let rest = lines.slice(first + 1);
  if (SETEXT_UNDERLINE.test(rest[0] ?? '')) rest = rest.slice(1);
  const body = rest.join('\n').trim();
  if (!title || !body) throw transientError('llm_bad_output', 'LLM answer in Markdown lacks a title line or a body');
  const paragraph = body.split(/\n\s*\n/).find((p) => p.trim() && !HEADING.test(p.trim().split('\n')[0] ?? '')) ?? '';
  return { title, summary: paragraph.replace(/\s+/g, ' ').trim(), body_markdown: body };
}
