import type { Article, Source } from '@pressroom/contracts';
import { clip } from '@pressroom/text';
import { titleCase } from '../text/title-case.ts';
import { keepValidCitations } from './citations.ts';
import { keepSourceLinks } from './source-links.ts';
import { sourcesSection, withoutSourcesSections } from './sources-section.ts';

export interface Draft {
  title: string;
  summary: string;
  body_markdown: string;
}

// Limits of the Article schema: the publish task is validated on publish, so an over-long answer must be
// cut here rather than fail the stage after the model was paid for.
const MAX_TITLE = 500;
const MAX_SUMMARY = 5000;
const MAX_BODY = 190_000;

/** Turns a writer's draft into the published article: clean citations, the sources list, schema limits. */
export function finalizeArticle(draft: Draft, sources: readonly Source[], topic: string): Article {
  const refs = sources.map((s) => ({ title: s.title, url: s.url }));
  const title = clip(
    draft.title
      .replace(/^#+\s*/, '')
      .replace(/\s+/g, ' ')
      .trim() || titleCase(topic),
    MAX_TITLE,
  );
  // Publishers render the title themselves; a leading "# Title" in the body would show it twice.
  let body = draft.body_markdown.trim().replace(/^#\s+[^\n]*\n+/, '');
  // The list of sources is always the task's, never one the writer wrote; links go only to those sources.
  body = keepSourceLinks(
    withoutSourcesSections(body),
    refs.map((r) => r.url),
  );
  body = clip(keepValidCitations(body, sources.length), MAX_BODY).trim();
  body = [body, sourcesSection(refs)].filter(Boolean).join('\n\n');
  const summary = clip(keepValidCitations(draft.summary, sources.length).replace(/\s+/g, ' ').trim(), MAX_SUMMARY);
  return { title, summary, body_markdown: body, sources: refs };
}
