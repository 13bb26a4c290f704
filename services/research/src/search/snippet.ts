import { tokenize, type Sentence, type TextProfile } from '@pressroom/text';

function truncate(text: string, maxChars: number, terms: ReadonlySet<string>): string {
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

type Window = { text: string; distinct: number; hits: number; lead: number };

function scoreWindow(sentences: readonly Sentence[], start: number, end: number, terms: ReadonlySet<string>, given: ReadonlySet<string>): Omit<Window, 'text'> {
  const found = new Set<string>(given);
  let hits = 0;
  let lead = end - start + 1;
  for (let i = start; i <= end; i++) {
    for (const term of sentences[i]?.terms ?? []) {
      if (!terms.has(term)) continue;
      found.add(term);
      hits++;
      lead = Math.min(lead, i - start);
    }
  }
  return { distinct: found.size, hits, lead };
}

// A heading (no closing punctuation) leads into the sentence after it rather than running into it.
const join = (text: string, sentence: string): string => (/[.!?:;…"”’)]$/.test(text) ? `${text} ${sentence}` : `${text}: ${sentence}`);

const compareWindows = (a: Omit<Window, 'text'>, b: Omit<Window, 'text'>): number => a.distinct - b.distinct || a.hits - b.hits || b.lead - a.lead;

/**
 * Picks the run of consecutive sentences (up to maxChars) covering the most topic terms, counting those of
 * the title as covered everywhere (on a honeybee page, "how do honeybees communicate" is answered by the
 * passage about communication), then the most mentions, then a window that opens on a mention.
 * Sentences come with their terms (computed once per document), so a snippet costs no tokenizing.
 */
export function snippet(profile: Pick<TextProfile, 'sentences' | 'titleTerms'>, topicTerms: readonly string[], maxChars: number): string {
  if (!(maxChars > 0)) return '';
  const { sentences } = profile;
  const terms = new Set(topicTerms);
  const given = new Set(topicTerms.filter((t) => profile.titleTerms.has(t)));
  let best: Window | undefined;
  for (let start = 0; start < sentences.length; start++) {
    let text = sentences[start]?.text ?? '';
    let end = start;
    for (; end + 1 < sentences.length; end++) {
      const next = join(text, sentences[end + 1]?.text ?? '');
      if (next.length > maxChars) break;
      text = next;
    }
    const score = scoreWindow(sentences, start, end, terms, given);
    // Strictly better only, so the earliest window wins ties.
    if (!best || compareWindows(score, best) > 0) best = { text, ...score };
  }
  return truncate(best?.text ?? '', Math.floor(maxChars), terms);
}
