const MINOR = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'but',
  'by',
  'for',
  'from',
  'in',
  'into',
  'nor',
  'of',
  'on',
  'or',
  'per',
  'the',
  'to',
  'vs',
  'via',
  'with',
]);

function capitalize(word: string): string {
  // Words that already carry capitals (TCP, PostgreSQL, iPhone) are names: leave them as written.
  if (/\p{Lu}/u.test(word)) return word;
  return word.replace(/\p{L}/u, (c) => c.toUpperCase());
}

/** Headline-style title case for a topic: minor words stay lower case except at either end. */
export function titleCase(topic: string): string {
  const words = topic
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.,;:]+$/, '')
    .split(' ')
    .filter(Boolean);
  return words
    .map((word, i) => {
      const isEdge = i === 0 || i === words.length - 1;
      if (!isEdge && MINOR.has(word.toLowerCase())) return word.toLowerCase();
      return word.split('-').map(capitalize).join('-');
    })
    .join(' ');
}
