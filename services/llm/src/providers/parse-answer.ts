import { permanentError, transientError } from '@pressroom/contracts';
import type { Draft } from '../article/finalize-article.ts';

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

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/**
 * Reads the model's article. A malformed or empty answer is transient (`llm_bad_output`): sampling at
 * temperature 0.3 means a retry usually yields valid JSON, and the attempts are bounded. An answer cut off
 * by max_tokens is permanent: the same limit will cut it again, the fix is a larger LLM_MAX_TOKENS.
 */
export function parseAnswer(content: string | null | undefined, finishReason?: string | null): Draft {
  let parsed: unknown;
  try {
    parsed = JSON.parse(extractJson(content ?? ''));
  } catch {
    if (finishReason === 'length') throw permanentError('llm_output_truncated', 'LLM answer was cut off at LLM_MAX_TOKENS before the JSON closed');
    throw transientError('llm_bad_output', `LLM answer is not JSON (${(content ?? '').length} chars)`);
  }
  const a = (parsed ?? {}) as Record<string, unknown>;
  if (!nonEmpty(a['title']) || !nonEmpty(a['body_markdown']))
    throw transientError('llm_bad_output', 'LLM answer lacks a non-empty title or body_markdown');
  return { title: a['title'], summary: typeof a['summary'] === 'string' ? a['summary'] : '', body_markdown: a['body_markdown'] };
}
