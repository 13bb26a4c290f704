import { tokenize } from './tokenize.ts';

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

function sentencesOf(text: string): string[] {
  const sentences: string[] = [];
  // Paragraph breaks always end a sentence, even when the paragraph lacks punctuation.
  for (const para of text.split(/\n\s*\n/)) {
    for (const { segment } of segmenter.segment(para.replace(/\s+/g, ' ').trim())) {
      const sentence = segment.trim();
      if (sentence) sentences.push(sentence);
    }
  }
  return sentences;
}

function truncate(text: string, maxChars: number, terms: Set<string>): string {
  if (text.length <= maxChars) return text;
  // A single over-long sentence: start shortly before the first query term so it stays visible.
  const words = text.split(' ');
  const first = words.findIndex((word) => tokenize(word).some((token) => terms.has(token)));
  const start = Math.max(0, first - 3);
  const lead = start > 0 ? '…' : '';
  let body = '';
  let used = start;
  for (; used < words.length; used++) {
    const next = body ? `${body} ${words[used]}` : (words[used] ?? '');
    if (lead.length + next.length > maxChars - 1) break;
    body = next;
  }
  if (!body) return `${text.slice(0, maxChars - 1)}…`;
  return used === words.length ? `${lead}${body}` : `${lead}${body}…`;
}

type Window = { text: string; distinct: number; hits: number };

function scoreWindow(text: string, terms: Set<string>): Window {
  const found = tokenize(text).filter((token) => terms.has(token));
  return { text, distinct: new Set(found).size, hits: found.length };
}

/** Picks the run of consecutive sentences (up to maxChars) covering the most query terms. */
export function snippet(text: string, query: string, maxChars: number): string {
  if (!(maxChars > 0)) return '';
  const sentences = sentencesOf(text);
  const terms = new Set(tokenize(query));
  let best: Window | undefined;
  for (let start = 0; start < sentences.length; start++) {
    let windowText = sentences[start] ?? '';
    for (let end = start + 1; end < sentences.length; end++) {
      const next = `${windowText} ${sentences[end] ?? ''}`;
      if (next.length > maxChars) break;
      windowText = next;
    }
    const candidate = scoreWindow(windowText, terms);
    // Strictly better only, so the earliest window wins ties.
    if (!best || candidate.distinct > best.distinct || (candidate.distinct === best.distinct && candidate.hits > best.hits)) {
      best = candidate;
    }
  }
  return truncate(best?.text ?? '', Math.floor(maxChars), terms);
}
