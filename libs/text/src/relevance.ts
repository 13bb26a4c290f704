import { splitSentences } from './sentences.ts';
import { stem } from './stem.ts';
import { STOP_WORDS } from './stop-words.ts';
import { termSet, words } from './tokenize.ts';

export interface Topic {
  /** The topic as asked. */
  text: string;
  /** Its distinct content words as written, in order (for messages people read). */
  words: string[];
  /** The stems of those words, same order. */
  terms: string[];
  /** How many of the terms a passage must hold for its text to be about the topic (0 when there are none). */
  required: number;
}

export interface Sentence {
  text: string;
  terms: ReadonlySet<string>;
}

/** What relevance needs to know about a document, computed once per document (at index time for a corpus). */
export interface TextProfile {
  titleTerms: ReadonlySet<string>;
  /** The terms of title and text together. */
  terms: ReadonlySet<string>;
  sentences: readonly Sentence[];
}

export function parseTopic(text: string): Topic {
  const seen = new Map<string, string>();
  for (const word of words(text)) {
    if (STOP_WORDS.has(word)) continue;
    const term = stem(word);
    if (!seen.has(term)) seen.set(term, word);
  }
  const terms = [...seen.keys()];
  const n = terms.length;
  return { text, words: [...seen.values()], terms, required: n <= 1 ? n : Math.max(2, Math.ceil(n / 2)) };
}

export function profileText(title: string, text: string): TextProfile {
  const sentences = splitSentences(text).map((s) => ({ text: s, terms: termSet(s) }));
  const titleTerms = termSet(title);
  const terms = new Set<string>(titleTerms);
  for (const s of sentences) for (const t of s.terms) terms.add(t);
  return { titleTerms, terms, sentences };
}

/** How many of the topic's terms occur in any of the given term sets. */
export function coverage(topic: Topic, ...sets: ReadonlyArray<ReadonlySet<string>>): number {
  let found = 0;
  for (const term of topic.terms) if (sets.some((set) => set.has(term))) found++;
  return found;
}

/**
 * The relevance rule of research and writing. The rule is that a text holds at least half of the
 * topic's content words after stemming, and at least two when the topic has two or more. This is stricter:
 * those words must occur together in one passage, a sentence (or heading) read with the document's title,
 * and the sentence itself must hold at least one of them (a keyword-stuffed title is not enough).
 * Words scattered over a long page say little: an urban-trees page with "drainage systems" in one
 * paragraph and "unevenly distributed" in another is not about "tracing distributed systems", while a
 * honeybee page (title) with a "Communication and foraging" section (heading) is about how honeybees
 * communicate. A topic without content words ("what is this?") has nothing a text could be about.
 */
export function isAbout(topic: Topic, profile: TextProfile): boolean {
  if (topic.required === 0 || coverage(topic, profile.terms) < topic.required) return false;
  return profile.sentences.some((s) => coverage(topic, s.terms) > 0 && coverage(topic, profile.titleTerms, s.terms) >= topic.required);
}
