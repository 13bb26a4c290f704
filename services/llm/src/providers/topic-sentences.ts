import { coverage, splitSentences, termSet, type Topic } from '@pressroom/text';

export interface TopicSentence {
  text: string;
  /** 1-based number of the source it comes from: its citation. */
  source: number;
  /** Order within its source. */
  position: number;
  /** Topic terms in the sentence itself. */
  own: number;
  /** Topic terms in the sentence read with its source's title and the heading above it. */
  covered: number;
}

const EMPTY: ReadonlySet<string> = new Set();
// Fragments rarely stand alone in an article; very long "sentences" are usually run-together lists.
const MIN_WORDS = 6;
const MAX_CHARS = 600;
const ENDS_SENTENCE = /[.!?]["”’)]?$/;

// Extracted pages and the corpus keep one block per line; a short line without closing punctuation is a
// heading (or a caption, or navigation left over from extraction).
const isHeading = (line: string): boolean => !ENDS_SENTENCE.test(line) && line.split(' ').length <= 12;

/**
 * The sentences of one source that bear on the topic. A sentence counts the topic words of its source's
 * title and of the heading right above its paragraph, so on a honeybee page the waggle-dance sentences
 * under "Communication and foraging" answer "how do honeybees communicate" although they name neither
 * word. Sentences that touch no topic word at all are left out.
 */
export function topicSentences(text: string, title: string, source: number, topic: Topic): TopicSentence[] {
  const titleTerms = termSet(title);
  let headingTerms = EMPTY;
  let position = 0;
  const out: TopicSentence[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (!line) continue;
    if (isHeading(line)) {
      headingTerms = termSet(line);
      continue;
    }
    const context = headingTerms;
    // A heading speaks for the paragraph right under it; a section often drifts after that.
    headingTerms = EMPTY;
    for (const sentence of splitSentences(line)) {
      position++;
      if (!ENDS_SENTENCE.test(sentence) || sentence.split(' ').length < MIN_WORDS || sentence.length > MAX_CHARS) continue;
      const terms = termSet(sentence);
      const covered = coverage(topic, terms, context, titleTerms);
      if (covered > 0) out.push({ text: sentence, source, position, own: coverage(topic, terms), covered });
    }
  }
  return out;
}

/** Most relevant first: more topic words covered, then more in the sentence itself; ties keep source order. */
export function byRelevance(a: TopicSentence, b: TopicSentence): number {
  return b.covered - a.covered || b.own - a.own || a.source - b.source || a.position - b.position;
}

/**
 * The sentences to write from: those covering as many topic words as the relevance rule asks of a source
 * (research kept only sources that have one), or, should none, those touching the topic at all. A
 * shorter article on the topic beats one padded with its neighbourhood.
 */
export function onTopic(candidates: readonly TopicSentence[], topic: Topic): TopicSentence[] {
  const strong = candidates.filter((c) => c.covered >= topic.required);
  return strong.length > 0 ? strong : [...candidates];
}

/** The sentence with its citation, placed before the closing full stop when it has a plain one. */
export function cite(sentence: TopicSentence): string {
  const m = /^(.*?)([.!?])$/s.exec(sentence.text);
  return m ? `${m[1]} [${sentence.source}]${m[2]}` : `${sentence.text} [${sentence.source}]`;
}
