import { permanentError, type Brief } from '@pressroom/contracts';
import { parseTopic } from '@pressroom/text';
import { sourcesSection } from '../article/sources-section.ts';
import { sourceTexts } from '../prompt/build-prompt.ts';
import { titleCase } from '../text/title-case.ts';
import { byRelevance, cite, onTopic, topicSentences } from './topic-sentences.ts';
import type { Completion, WriteInput, WriterProvider } from './writer-provider.ts';

// Bump when the output changes, so cached articles of the old writer are not served (the model is in the cache key).
const LOCAL_MODEL = 'extractive-v2';

const PER_SECTION: Record<Brief['length'], number> = { short: 2, medium: 3, long: 4 };
const SUMMARY_SENTENCES = 2;

/** How the framing sentence names the subject: a question is quoted, a subject is named as written. */
function subject(topic: string): string {
  const t = topic.replace(/\s+/g, ' ').trim();
  return /\?$/.test(t) ? `the question “${t}”` : t;
}

const FRAMING: Record<Brief['tone'], (subject: string, n: number) => string> = {
  neutral: (s, n) => `This article brings together what ${n} ${n === 1 ? 'source says' : 'sources say'} about ${s}.`,
  formal: (s, n) => `The following summarises the findings of ${n} ${n === 1 ? 'source' : 'sources'} on ${s}.`,
  casual: (s, n) => `Here is a quick tour of ${s}, pulled together from ${n} ${n === 1 ? 'source' : 'sources'}.`,
  persuasive: (s, n) => `${n === 1 ? 'One source makes' : `${n} sources make`} a clear case for paying attention to ${s}.`,
};

function heading(title: string, n: number): string {
  return (
    title
      .replace(/\s+/g, ' ')
      .replace(/^#+\s*/, '')
      .trim() || `Source ${n}`
  );
}

/**
 * The built-in writer: a deterministic extractive article (no network, no randomness, no clock), so the whole
 * pipeline runs without an API key and the same sources always give byte-identical output. Sentences are
 * picked by relevance to the topic (libs/text, the rule research judged the sources by), every one cited:
 * the two most relevant open the article and make its summary, then each source gives its best few in its
 * own order. It reads the same trimmed source texts as the model would, so the prompt hash is an exact
 * cache key for it too.
 */
export function writeExtractive({ brief, sources }: Pick<WriteInput, 'brief' | 'sources'>): Completion {
  const topic = parseTopic(brief.topic);
  const texts = sourceTexts(sources);
  const all = texts.flatMap((text, i) => topicSentences(text, sources[i]?.title ?? '', i + 1, topic));
  const ranked = onTopic(all, topic).sort(byRelevance);
  const perSource = sources.map((_, i) => ranked.filter((c) => c.source === i + 1));
  if (ranked.length === 0) throw permanentError('no_sources', `none of the ${sources.length} sources has a sentence about "${brief.topic}" to write from`);
  const lead = ranked.slice(0, SUMMARY_SENTENCES);

  const intro = [FRAMING[brief.tone](subject(brief.topic), sources.length), ...lead.map(cite)].join(' ');
  const sections = perSource.flatMap((candidates, i) => {
    const picks = candidates
      .filter((c) => !lead.includes(c))
      .slice(0, PER_SECTION[brief.length])
      .sort((a, b) => a.position - b.position); // read in the source's own order
    if (picks.length === 0) return [];
    return [`## ${heading(sources[i]?.title ?? '', i + 1)}\n\n${picks.map(cite).join(' ')}`];
  });
  const refs = sources.map((s) => ({ title: s.title, url: s.url }));
  const body = [intro, ...sections, sourcesSection(refs)].join('\n\n');
  const summary = lead.map((s) => s.text).join(' ');
  return { draft: { title: titleCase(brief.topic), summary, body_markdown: body }, responseModel: LOCAL_MODEL };
}

export function createLocalWriter(): WriterProvider {
  return { name: 'local', system: 'pressroom.local', model: LOCAL_MODEL, cacheScope: '', complete: async (input) => writeExtractive(input) };
}
