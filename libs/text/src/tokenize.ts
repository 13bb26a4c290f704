import { stem } from './stem.ts';
import { STOP_WORDS } from './stop-words.ts';

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
// Stemming is the costly step and vocabularies are small: remember each word's stem (bounded, then reset).
const STEM_MEMO_MAX = 50_000;
const stems = new Map<string, string>();

function stemOf(word: string): string {
  let known = stems.get(word);
  if (known === undefined) {
    if (stems.size >= STEM_MEMO_MAX) stems.clear();
    known = stem(word);
    stems.set(word, known);
  }
  return known;
}

/** The words of a text as written (case-folded, apostrophes dropped so "starter's" and "don't" stay whole). */
export function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().replace(/['’]/g, '').match(WORD) ?? [];
}

/** Content tokens: words without stop words, stemmed. The one tokenizer of search, relevance and writing. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const word of words(text)) if (!STOP_WORDS.has(word)) tokens.push(stemOf(word));
  return tokens;
}

/** The distinct content tokens of a text, for "does this text mention that word" questions. */
export function termSet(text: string): Set<string> {
  return new Set(tokenize(text));
}
