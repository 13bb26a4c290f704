const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

// Unicode sentence breaking (UAX #29, through ICU) ends a sentence at every "Dr." and "P."; these are
// rejoined. Lower-case words after a break ("“Is it?” she asked") continue the same sentence too.
const ABBREVIATION = /(?:^|[\s(“"])(?:mr|mrs|ms|dr|prof|sr|jr|st|mt|vs|etc|e\.g|i\.e|cf|no|fig|approx|ca|inc|ltd|co|[\p{Lu}])\.$/iu;
const CONTINUES = /^[\p{Ll}\d,;:)]/u;

function segmentLine(line: string, out: string[]): void {
  let pending = '';
  for (const { segment } of segmenter.segment(line)) {
    const piece = segment.trim();
    if (!piece) continue;
    if (pending && (ABBREVIATION.test(pending) || CONTINUES.test(piece))) pending = `${pending} ${piece}`;
    else {
      if (pending) out.push(pending);
      pending = piece;
    }
  }
  if (pending) out.push(pending);
}

/**
 * Sentences of extracted text. Every line break ends a sentence: extracted pages and the corpus keep one
 * block (paragraph, heading, list item) per line, and a heading must not run into the sentence after it.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const clean = line.replace(/\s+/g, ' ').trim();
    if (clean) segmentLine(clean, out);
  }
  return out;
}
