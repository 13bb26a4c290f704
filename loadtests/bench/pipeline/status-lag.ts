import { getJson } from '../support/api-client.ts';
import { distribution, round, sleep, type Distribution } from '../support/stats.ts';
import type { PublishWatcher } from './publish-watcher.ts';
import type { SubmitLog } from './submitters.ts';

// When to ask after the article appeared, ms: every 50 ms for the first 2 s (where the target is, so the upper
// bound is within 50 ms of the truth there), then sparser, so the probe adds a few GETs per request, not hundreds.
// The gap between two polls is the measurement's resolution.
const POLL_AT_MS = [...Array.from({ length: 40 }, (_, i) => 25 + i * 50), ...[2250, 2500, 3000, 4000, 5000, 7500, 10_000, 15_000, 20_000, 30_000]];

interface Lag {
  /** From the article's appearance to the reply of the first GET that showed `published`: an upper bound. */
  lagMs: number;
  /** From the article's appearance to the sending of the last GET that did not: the lower bound. */
  lowerMs: number;
  polls: number;
  /** How long the GET that showed `published` took to answer, ms (part of the lag: the API is that slow). */
  getMs: number;
}

export interface StatusLagResult {
  /** Upper bounds, ms: the API showed `published` at the latest this long after the article was out. */
  lag: Distribution;
  /** Upper minus lower bound, ms: how exact each figure is. */
  resolution: Distribution;
  /** The answering GET's own duration, ms. */
  get: Distribution;
  pollsPerRequest: number;
  /** Requests the API had not shown as published 30 s after their article was out. */
  never: number;
  /** One request in `sampleEvery` is followed (by its id, so the sample is random); `sampled` were. */
  sampleEvery: number;
  sampled: number;
}

/**
 * How far the API's view of a request lags its real progress: when an article appears in the publish
 * folder (its real publication), the owner polls GET /v1/requests/{id} until the status says `published`.
 * The lag is taken on the bench's clock from the file's appearance to that reply. Following every request
 * would make the probe a load of its own (a lagging tracker means more polls, which slow the gateway, which
 * lags more), so about `perSecond` requests a second are followed, picked by their random ids.
 */
export function startStatusLagProbe(opts: { baseUrl: string; log: SubmitLog; watcher: PublishWatcher; rate: number; perSecond?: number }) {
  const sampleEvery = Math.max(1, Math.round(opts.rate / (opts.perSecond ?? 10)));
  let sampled = 0;
  const lags = new Map<string, Lag>();
  let never = 0;
  const running = new Set<Promise<void>>();

  async function follow(id: string, at: number): Promise<void> {
    // The article can appear before this process has read the POST's reply; wait for the owner to be known.
    for (let i = 0; !opts.log.owner.has(id) && i < 200; i++) await sleep(10);
    const owner = opts.log.owner.get(id);
    if (!owner) return;
    sampled++;
    let lowerMs = 0;
    for (const [polls, offset] of POLL_AT_MS.entries()) {
      const wait = at + offset - performance.now();
      if (wait > 1) await sleep(wait);
      const sentAt = performance.now();
      const res = await getJson(`${opts.baseUrl}/v1/requests/${id}`, owner.token).catch(() => undefined);
      const status = (res?.body as { status?: string } | undefined)?.status;
      if (status === 'published') {
        const now = performance.now();
        lags.set(id, { lagMs: now - at, lowerMs, polls: polls + 1, getMs: now - sentAt });
        return;
      }
      if (status === 'failed' || status === 'cancelled') return;
      lowerMs = sentAt - at;
    }
    never++;
  }

  const off = opts.watcher.onPublished((id, at) => {
    if (Number.parseInt(id.slice(0, 8), 16) % sampleEvery !== 0) return;
    const p = follow(id, at).finally(() => running.delete(p));
    running.add(p);
  });

  return {
    async stop(): Promise<StatusLagResult> {
      off();
      await Promise.all(running);
      const all = [...lags.values()];
      return {
        lag: distribution(all.map((l) => l.lagMs)),
        resolution: distribution(all.map((l) => l.lagMs - l.lowerMs)),
        get: distribution(all.map((l) => l.getMs)),
        pollsPerRequest: round(all.reduce((a, l) => a + l.polls, 0) / (all.length || 1), 2),
        never,
        sampleEvery,
        sampled,
      };
    },
  };
}
