import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './child-process.ts';

/**
 * The standard mix's topics: the subjects of the embedded corpus, one per document (`honeybees.md` →
 * "honeybees"). Drawn in rotation, they repeat, so the search and LLM caches hit as popular topics do in
 * production; `uniqueTopic` appends a counter, so that every request misses every cache.
 */
export const TOPICS: readonly string[] = readdirSync(join(ROOT, 'services', 'research', 'corpus'))
  .filter((f) => /\.(md|txt|html)$/.test(f) && f !== 'LICENSE.md')
  .sort()
  .map((f) => f.replace(/\.\w+$/, '').replace(/-/g, ' '));

if (TOPICS.length === 0) throw new Error('services/research/corpus holds no documents: the bench has no topics');

export type TopicMode = 'corpus' | 'unique';

export function topicFor(n: number, mode: TopicMode): string {
  const subject = TOPICS[n % TOPICS.length]!;
  return mode === 'corpus' ? subject : `${subject} (bench ${n})`;
}

/** The body every bench submission sends (short articles, every other field at its default). */
export function submitBody(n: number, mode: TopicMode = 'corpus'): { topic: string; length: 'short' } {
  return { topic: topicFor(n, mode), length: 'short' };
}
