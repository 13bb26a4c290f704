import type { Static } from '@sinclair/typebox';
import type { RequestSummary, RequestView } from '@pressroom/contracts';
import type { RequestDetailRow, RequestRow, StageRow } from './request-repository.ts';

// Typed as the schemas /openapi.json documents: a view that drifts from the document is a compile error.
export function toSummary(r: RequestRow): Static<typeof RequestSummary> {
  return {
    id: r.id,
    status: r.status,
    topic: r.topic,
    audience: r.audience,
    tone: r.tone,
    length: r.length,
    channel: r.channel,
    trace_id: r.trace_id,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

export function toDetail(r: RequestDetailRow, stages: StageRow[]): Static<typeof RequestView> {
  return {
    ...toSummary(r),
    error: r.error,
    stages: stages.map((s) => ({
      stage: s.stage,
      status: s.status,
      attempts: s.attempts,
      started_at: s.started_at,
      finished_at: s.finished_at,
      duration_ms: s.duration_ms,
      error: s.error,
    })),
    result: r.article
      ? {
          title: r.article.title,
          summary: r.article.summary,
          body_markdown: r.article.body_markdown,
          sources: r.article.sources,
          published_url: r.published_url,
        }
      : null,
    usage: r.usage ?? null,
  };
}
