import type { Article, Brief, TaskChannel } from '@pressroom/contracts';

/** Everything a channel needs to post one article; `published_at` is fixed once per attempt by the worker. */
export interface PublishInput {
  request_id: string;
  brief: Brief;
  channel: TaskChannel;
  article: Article;
  published_at: string;
}

/**
 * One publishing target. `publish` resolves to the article's public URL. Once the target has accepted the
 * article it must not throw (a throw means a retry, and a retry means a second post), so response parsing
 * falls back instead of failing.
 */
export interface PublishChannel {
  publish(input: PublishInput): Promise<string>;
}

const MAX_URL = 2048;

/** An http(s) URL the target reported, resolved against `base`, or undefined when it is unusable. */
export function reportedUrl(candidate: unknown, base: string): string | undefined {
  if (typeof candidate !== 'string' || candidate.length === 0) return undefined;
  try {
    const url = new URL(candidate, base);
    const ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.href.length <= MAX_URL;
    return ok ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a response body as JSON without ever throwing (see PublishChannel). */
export function parseJsonSafely(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
