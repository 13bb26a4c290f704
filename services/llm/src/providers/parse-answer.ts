import { permanentError, transientError } from '@pressroom/contracts';
import { citesASource } from '../article/citations.ts';
import type { Draft } from '../article/finalize-article.ts';
import { markdownDraft } from './markdown-answer.ts';

/**
 * The JSON text of an answer: as is when it is an object (its body may itself hold ``` code fences), else
 * inside a ```json fence, else between the first "{" and the last "}" of the surrounding chatter.
 */
export function extractJson(content: string): string {
  const trimmed = content.trim();
  if (trimmed.startsWith('{')) return trimmed;
  const fenced = /```(?:json)?\s*\n?([\s\S]*?)```/i.exec(trimmed);
  const text = (fenced?.[1] ?? trimmed).trim();
  if (text.startsWith('{')) return text;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : text;
}

/**
 * An answer meant as JSON: an object, a fence near the start opening on one, or an object with the
 * article's keys inside chatter. Prose that merely uses braces is Markdown.
 */
const meantAsJson = (content: string): boolean =>
  content.startsWith('{') || /```(?:json)?[ \t]*\r?\n\s*\{/i.test(content.slice(0, 400)) || /\{\s*"(?:title|headline|summary|body_markdown)"\s*:/.test(content);

// A model without the API's `refusal` field declines in prose, in the first words of a short, uncited answer.
const REFUSAL =
  /^\W{0,3}(?:i['’]m sorry|i am sorry|sorry, (?:but )?i|i apologi[sz]e|i can(?:not|['’]t) (?:help|assist|write|provide|comply|create|do)|i['’]m (?:not able|unable) to|i am (?:not able|unable) to|i won['’]t be able|as an ai\b)/i;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const firstText = (a: Record<string, unknown>, keys: string[]): string => keys.map((k) => text(a[k])).find((v) => v.trim()) ?? '';

function jsonDraft(content: string): Draft {
  let parsed: unknown;
  try {
    parsed = JSON.parse(extractJson(content));
  } catch {
    throw transientError('llm_bad_output', `LLM answer looks like JSON but does not parse (${content.length} chars)`);
  }
  const a = (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>;
  // Models that ignore the schema still mostly keep its meaning under a near name.
  const draft = {
    title: firstText(a, ['title', 'headline']),
    summary: firstText(a, ['summary', 'excerpt', 'description']),
    body_markdown: firstText(a, ['body_markdown', 'body', 'markdown', 'content', 'article']),
  };
  if (!draft.title.trim() || !draft.body_markdown.trim()) throw transientError('llm_bad_output', 'LLM answer lacks a non-empty title or body_markdown');
  return draft;
}

/**
 * Reads the model's article from JSON, fenced JSON or plain Markdown. A malformed, empty or uncited answer
 * is transient (`llm_bad_output`): sampling at temperature 0.3 means a retry usually does better, and the
 * attempts are bounded. A refusal (`llm_refused`) and an answer cut off by max_tokens
 * (`llm_output_truncated`: the same limit will cut it again, the fix is a larger LLM_MAX_TOKENS) are
 * permanent.
 */
export function parseAnswer(content: string | null | undefined, finishReason: string | null | undefined, sourceCount: number): Draft {
  if (finishReason === 'length') throw permanentError('llm_output_truncated', 'LLM answer was cut off at LLM_MAX_TOKENS (finish_reason "length")');
  if (finishReason === 'content_filter') throw permanentError('llm_refused', 'LLM provider withheld the answer (finish_reason "content_filter")');
  const answer = (content ?? '').trim();
  if (!answer) throw transientError('llm_bad_output', 'LLM answer is empty');
  if (REFUSAL.test(answer) && answer.length < 1000 && !citesASource(answer, sourceCount))
    throw permanentError('llm_refused', `LLM refused: ${answer.slice(0, 300)}`);
  const draft = meantAsJson(answer) ? jsonDraft(answer) : markdownDraft(answer);
  if (!citesASource(draft.body_markdown, sourceCount)) throw transientError('llm_bad_output', `LLM answer cites none of the ${sourceCount} sources`);
  return draft;
}
