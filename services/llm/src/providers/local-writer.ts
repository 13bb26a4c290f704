import type { Brief } from '@pressroom/contracts';
import { sourcesSection } from '../article/sources-section.ts';
import { sourceTexts } from '../prompt/build-prompt.ts';
import { byRelevance, scoreSentences, splitSentences, terms, type ScoredSentence } from '../text/sentences.ts';
import { titleCase } from '../text/title-case.ts';
import type { Completion, WriteInput, WriterProvider } from './writer-provider.ts';

// Bump when the output changes, so cached articles of the old writer are not served (the model is in the cache key).
export const LOCAL_MODEL = 'extractive-v1';

const PER_SECTION: Record<Brief['length'], number> = { short: 2, medium: 3, long: 4 };

const FRAMING: Record<Brief['tone'], (topic: string, n: number) => string> = {
  neutral: (t, n) => `This article brings together what ${n} ${n === 1 ? 'source says' : 'sources say'} about ${t}.`,
  formal: (t, n) => `The following summarises the findings of ${n} ${n === 1 ? 'source' : 'sources'} on ${t}.`,
  casual: (t, n) => `Here is a quick tour of ${t}, pulled together from ${n} ${n === 1 ? 'source' : 'sources'}.`,
  persuasive: (t, n) => `${n === 1 ? 'One source makes' : `${n} sources make`} a clear case for paying attention to ${t}.`,
};

interface Candidate extends ScoredSentence {
  source: number;
}

function heading(title: string, n: number): string {
  return title.replace(/\s+/g, ' ').replace(/^#+\s*/, '').trim() || `Source ${n}`;
}

/**
 * The built-in writer: a deterministic extractive article (no network, no randomness, no clock), so the whole
 * pipeline runs without an API key and the same sources always give byte-identical output. It reads the same
 * trimmed source texts as the model would, so the prompt hash is an exact cache key for it too.
 */
export function writeExtractive({ brief, sources }: Pick<WriteInput, 'brief' | 'sources'>): Completion {
  const topicTerms = new Set(terms(brief.topic));
  const texts = sourceTexts(sources);
  const perSource = texts.map((text, i): Candidate[] => {
    const sentences = splitSentences(text);
    const usable = sentences.length > 0 ? sentences : splitSentences(`${sources[i]?.snippet ?? ''}.`);
    return scoreSentences(usable, topicTerms).map((s) => ({ ...s, source: i + 1 }));
  });
  const ranked = perSource.flat().sort((a, b) => byRelevance(a, b) || a.source - b.source);
  const summaryPicks = ranked.slice(0, 2);
  const lead = summaryPicks[0];

  const intro = [FRAMING[brief.tone](brief.topic.trim(), sources.length), lead ? `${lead.text} [${lead.source}]` : ''].filter(Boolean).join(' ');
  const sections = perSource.flatMap((candidates, i) => {
    const picks = candidates
      .filter((c) => c !== lead)
      .sort(byRelevance)
      .slice(0, PER_SECTION[brief.length])
      .sort((a, b) => a.position - b.position); // read in the source's own order
    if (picks.length === 0) return [];
    return [`## ${heading(sources[i]?.title ?? '', i + 1)}\n\n${picks.map((p) => `${p.text} [${i + 1}]`).join(' ')}`];
  });
  const refs = sources.map((s) => ({ title: s.title, url: s.url }));
  const body = [intro, ...sections, sourcesSection(refs)].join('\n\n');
  const summary = summaryPicks.map((p) => p.text).join(' ');
  return { draft: { title: titleCase(brief.topic), summary, body_markdown: body }, responseModel: LOCAL_MODEL };
}

export function createLocalWriter(): WriterProvider {
  return { name: 'local', system: 'pressroom.local', model: LOCAL_MODEL, complete: async (input) => writeExtractive(input) };
}
