// Code (`arr[0]`, fenced blocks) is matched first and kept whole; inline links ([1](url)) are not citations.
const CITATION = /(```[\s\S]*?```|`[^`\n]*`)|( ?)\[(\d+(?:\s*,\s*\d+)*)\](?!\()/g;

/**
 * Keeps only citations of sources that exist. Grouped forms the models like ([1, 3]) become [1][3].
 * Reference-style links are not recognised, since the prompt asks for [n] citations and a bracketed
 * number is far likelier one.
 */
export function keepValidCitations(text: string, sourceCount: number): string {
  return text.replace(CITATION, (_match, code: string | undefined, lead: string, list: string) => {
    if (code) return code;
    const valid = list
      .split(',')
      .map((n) => Number(n.trim()))
      .filter((n) => n >= 1 && n <= sourceCount);
    return valid.length === 0 ? '' : lead + valid.map((n) => `[${n}]`).join('');
  });
}

/** Whether a text cites at least one of the sources. */
export function citesASource(text: string, sourceCount: number): boolean {
  for (const [, code, , list] of text.matchAll(CITATION)) {
    if (code) continue;
    if ((list ?? '').split(',').some((n) => Number(n.trim()) >= 1 && Number(n.trim()) <= sourceCount)) return true;
  }
  return false;
}
