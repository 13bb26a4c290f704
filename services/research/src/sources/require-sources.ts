import { permanentError, transientError } from '@pressroom/contracts';
import type { Topic } from '@pressroom/text';
import type { BuiltSources, DropCounts } from './build-sources.ts';

export interface SourceShortfall {
  topic: Topic;
  provider: string;
  built: BuiltSources;
  /** Candidates the provider dropped as off-topic while searching (the local corpus). */
  offTopic: number;
  limit: number;
  minSources: number;
}

function describeDrops(dropped: DropCounts): string {
  const entries = Object.entries(dropped).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return total === 0 ? 'none dropped' : `dropped ${total}: ${entries.map(([reason, n]) => `${n} ${reason}`).join(', ')}`;
}

function rule(topic: Topic): string {
  if (topic.required === 0) return 'the topic has no content words to judge sources by';
  const words = topic.words.map((w) => `"${w}"`).join(', ');
  if (topic.words.length === 1) return `a source must contain ${words}`;
  return `a source must hold ${topic.required} of ${words} together in one sentence read with its title`;
}

/**
 * The stage needs `minSources` relevant sources, or as many as the search offered when it offered fewer,
 * and never none. Short of that it fails `no_sources`, naming the topic and why candidates were dropped;
 * the failure is transient when pages that failed for a passing reason (a timeout, a 503) could make up
 * the difference on a retry, permanent otherwise.
 */
export function requireEnoughSources(s: SourceShortfall): void {
  const offered = Math.min(s.limit, s.built.offered + s.offTopic);
  const needed = Math.max(1, Math.min(s.minSources, offered));
  const found = s.built.sources.length;
  if (found >= needed) return;
  const dropped: DropCounts = { ...s.built.dropped };
  if (s.offTopic > 0) dropped['off_topic'] = (dropped['off_topic'] ?? 0) + s.offTopic;
  const message = `found ${found} relevant ${found === 1 ? 'source' : 'sources'} for "${s.topic.text}" in the ${s.provider} search, at least ${needed} needed; ${describeDrops(dropped)}; ${rule(s.topic)}`;
  throw found + s.built.transientDrops >= needed ? transientError('no_sources', message) : permanentError('no_sources', message);
}
