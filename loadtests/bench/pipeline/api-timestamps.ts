import type { BenchUser } from '../support/api-client.ts';
import { getJson } from '../support/api-client.ts';
import { distribution, type Distribution } from '../support/stats.ts';
import type { PublishWatcher } from './publish-watcher.ts';
import type { SubmitLog } from './submitters.ts';

export interface TimestampLag {
  /** `updated_at` of the published request minus the moment its article appeared, ms, every request of the phase. */
  lag: Distribution;
  /** What the API says of the phase's requests that it does not show as published (`not listed` included). */
  otherwise: Record<string, number>;
}

/**
 * The status lag read from the API's own clock, for every request of a phase at no load: the tracker stamps
 * `updated_at` (PostgreSQL's now(), one statement per batch) when it writes a status, and nothing writes a
 * request once it is published, so a published request's `updated_at` is when the API's view became
 * `published`. Both clocks are this machine's; the article's time is the bench's inotify time, late by the
 * bench's own event-loop delay (a few ms). Read after the phase through GET /v1/requests, newest first.
 */
export async function lagFromTimestamps(baseUrl: string, log: SubmitLog, watcher: PublishWatcher): Promise<TimestampLag> {
  const byUser = new Map<BenchUser, Set<string>>();
  for (const [id, user] of log.owner) {
    const set = byUser.get(user) ?? new Set<string>();
    set.add(id);
    byUser.set(user, set);
  }
  const lags: number[] = [];
  const otherwise: Record<string, number> = {};
  const count = (status: string) => (otherwise[status] = (otherwise[status] ?? 0) + 1);
  await Promise.all(
    [...byUser].map(async ([user, wanted]) => {
      let cursor: string | null = null;
      for (let page = 0; wanted.size > 0 && page < 50; page++) {
        const res = await getJson(`${baseUrl}/v1/requests?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, user.token);
        if (res.status !== 200) break;
        const body = res.body as { items: Array<{ id: string; status: string; updated_at: string }>; next_cursor: string | null };
        for (const item of body.items) {
          if (!wanted.delete(item.id)) continue;
          const articleAt = watcher.published.get(item.id);
          if (item.status === 'published' && articleAt !== undefined) lags.push(Date.parse(item.updated_at) - (performance.timeOrigin + articleAt));
          else count(item.status === 'published' ? 'published, no article seen' : item.status);
        }
        cursor = body.next_cursor;
        if (!cursor) break;
      }
      for (let i = 0; i < wanted.size; i++) count('not listed');
    }),
  );
  return { lag: distribution(lags), otherwise };
}
