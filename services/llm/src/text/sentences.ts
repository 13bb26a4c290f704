const STOPWORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'can', 'do', 'does', 'for', 'from', 'has',
  'have', 'how', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'of', 'on', 'or', 'so', 'than', 'that', 'the',
  'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those', 'to', 'was', 'we', 'were', 'what',
  'when', 'where', 'which', 'who', 'why', 'will', 'with', 'you', 'your', 'about', 'guide', 'introduction',
]);

/** A light plural/verb-form fold, enough for "panels" to meet "panel" and "works" to meet "work". */
function fold(word: string): string {
  if (word.length <= 3 || /[^a-z]/.test(word)) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(?:ss|us|is)$/.test(word)) return word;
  if (/(?:x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/**
 * Content words of a text, lower-cased, folded and cut to six letters: a crude truncation stemmer that lets
 * "pollinate" meet "pollinators" and "electric" meet "electricity", at the price of rare collisions.
 */
export function terms(text: string): string[] {
  const words = text.normalize('NFKC').toLowerCase().replace(/['’]/g, '').match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((w) => !STOPWORDS.has(w) && w.length > 1).map((w) => fold(w).slice(0, 6));
}

/**
 * Whole sentences of extracted page text. Lines without closing punctuation are headings, captions or
 * navigation left over from extraction, and fragments under six words rarely stand alone in an article.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n+/)) {
    const line = block.replace(/\s+/g, ' ').trim();
    for (const sentence of line.split(/(?<=[.!?]["”’)]?)\s+(?=["“(]?[\p{Lu}\p{N}])/u)) {
      const s = sentence.trim();
      if (/[.!?]["”’)]?$/.test(s) && s.split(' ').length >= 6 && s.length <= 600) out.push(s);
    }
  }
  return out;
}

export interface ScoredSentence {
  text: string;
  position: number;
  overlap: number;
  hits: number;
}

/** Scores by distinct topic terms present, then by total topic-term occurrences: cheap, explainable, stable. */
export function scoreSentences(sentences: readonly string[], topicTerms: ReadonlySet<string>): ScoredSentence[] {
  return sentences.map((text, position) => {
    const ts = terms(text);
    const hits = ts.filter((t) => topicTerms.has(t)).length;
    const overlap = new Set(ts.filter((t) => topicTerms.has(t))).size;
    return { text, position, overlap, hits };
  });
}

/** Best first; ties go to the earlier sentence, which in most pages is the more general one. */
export function byRelevance(a: ScoredSentence, b: ScoredSentence): number {
  return b.overlap - a.overlap || b.hits - a.hits || a.position - b.position;
}
