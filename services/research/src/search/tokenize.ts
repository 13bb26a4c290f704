const STOPWORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'can', 'did', 'do', 'does',
  'for', 'from', 'had', 'has', 'have', 'he', 'her', 'his', 'how', 'i', 'if', 'in', 'into',
  'is', 'it', 'its', 'me', 'my', 'no', 'not', 'of', 'on', 'or', 'our', 'she', 'so', 'than',
  'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those', 'to',
  'too', 'us', 'was', 'we', 'were', 'what', 'when', 'where', 'which', 'who', 'why', 'will',
  'with', 'would', 'you', 'your',
]);

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const VOWEL = /[aeiouy]/;

// Only undouble consonants that are rarely doubled at the end of an English stem
// ("running" -> "run", but "rolling" -> "roll", "missing" -> "miss").
function undouble(stem: string): string {
  const last = stem.at(-1);
  if (last && stem.at(-2) === last && /[bdgmnprt]/.test(last)) return stem.slice(0, -1);
  return stem;
}

function stripSuffix(word: string, suffix: string): string | undefined {
  if (!word.endsWith(suffix)) return undefined;
  const stem = word.slice(0, -suffix.length);
  // Keep short words intact ("sing", "red", "bed") and require a vowel in the stem ("string").
  return stem.length >= 3 && VOWEL.test(stem) ? stem : undefined;
}

export function stem(word: string): string {
  if (word.length <= 3 || /[^a-z]/.test(word)) return word;
  if (word.endsWith('ies') || word.endsWith('ied')) return word.length > 4 ? `${word.slice(0, -3)}y` : word;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (/(?:ss|us|is)$/.test(word)) return word;
  if (/(?:x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  if (word.endsWith('eed')) return word;
  const ing = stripSuffix(word, 'ing');
  if (ing !== undefined) return undouble(ing);
  const ed = stripSuffix(word, 'ed');
  if (ed !== undefined) return undouble(ed);
  return word;
}

export function tokenize(text: string): string[] {
  // Drop apostrophes first so "starter's" and "don't" stay single words.
  const words = text.normalize('NFKC').toLowerCase().replace(/['’]/g, '').match(WORD) ?? [];
  const tokens: string[] = [];
  for (const word of words) {
    if (STOPWORDS.has(word)) continue;
    tokens.push(stem(word));
  }
  return tokens;
}
