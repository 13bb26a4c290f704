import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './child-process.ts';

const CORPUS = join(ROOT, 'services', 'research', 'corpus');
const DOCUMENTS = readdirSync(CORPUS)
  .filter((f) => /\.(md|txt|html)$/.test(f) && f !== 'LICENSE.md')
  .sort();

/**
 * The standard mix's topics: the subjects of the embedded corpus, one per document (`honeybees.md` →
 * "honeybees"). Drawn in rotation, they repeat, so the search and LLM caches hit as popular topics do in
 * production.
 */
export const TOPICS: readonly string[] = DOCUMENTS.map((f) => f.replace(/\.\w+$/, '').replace(/-/g, ' '));
if (TOPICS.length === 0) throw new Error('services/research/corpus holds no documents: the bench has no topics');

/** The prose of a corpus document: paragraphs only (no headings, markup, navigation or styles). */
function paragraphs(file: string): string[] {
  const text = readFileSync(join(CORPUS, file), 'utf8');
  if (file.endsWith('.html')) return [...text.matchAll(/<p[^>]*>([\s\S]*?)<\/p>/gi)].map((m) => m[1]!.replace(/<[^>]+>/g, ' '));
  return text
    .split(/\n\s*\n/)
    .filter((p) => !/^\s*(#|---|\||```)/.test(p))
    .map((p) => p.replace(/[*_`>[\]]|\(https?:[^)]*\)/g, ' '));
}

let phrases: string[] | undefined;

/**
 * Topics that miss every cache yet still find their sources: 4 to 7 consecutive words of one sentence of a
 * corpus document, each phrase once. A counter appended to a subject would be unique too, but the research
 * stage's relevance rule wants most of a topic's content words together in one passage, so "honeybees
 * (bench 123)" finds nothing and fails; words taken from one sentence always have that passage. Shuffled
 * (fixed seed) so that consecutive requests come from different documents.
 */
export function uniquePhrases(): readonly string[] {
  if (phrases) return phrases;
  const set = new Set<string>();
  for (const file of DOCUMENTS)
    for (const paragraph of paragraphs(file))
      // Lines apart too: list items and table rows are passages of their own to the research stage.
      for (const sentence of paragraph.split(/(?<=[.!?;:])\s+|\n/)) {
        const words = sentence
          .split(/\s+/)
          .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
          .filter(Boolean);
        for (let len = 4; len <= 7; len++)
          for (let i = 0; i + len <= words.length; i++) {
            const slice = words.slice(i, i + len);
            if (slice.filter((w) => /\p{L}{4,}/u.test(w)).length >= 3) set.add(slice.join(' ').toLowerCase());
          }
      }
  const list = [...set];
  let seed = 11;
  for (let i = list.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  phrases = list;
  return list;
}

export type TopicMode = 'corpus' | 'unique';

export function topicFor(n: number, mode: TopicMode): string {
  if (mode === 'corpus') return TOPICS[n % TOPICS.length]!;
  const list = uniquePhrases();
  return list[n % list.length]!;
}

/** The body every bench submission sends (short articles, every other field at its default). */
export function submitBody(n: number, mode: TopicMode = 'corpus'): { topic: string; length: 'short' } {
  return { topic: topicFor(n, mode), length: 'short' };
}
