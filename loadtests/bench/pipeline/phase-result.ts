import { getJson } from '../support/api-client.ts';
import { distribution, round, type Distribution } from '../support/stats.ts';
import type { MessageTap } from './message-tap.ts';
import type { PublishWatcher } from './publish-watcher.ts';
import type { SubmitLog } from './submitters.ts';

export interface Unfinished {
  id: string;
  /** What the API says of it after the drain (`unknown` when it did not answer). */
  status: string;
  stages: Array<{ stage: string; status: string; attempts: number; error: unknown }>;
}

export interface PhaseResult {
  durationS: number;
  accepted: number;
  /** Refused submissions by HTTP status (0: no answer): under load every answer must be a 202 or documented. */
  rejected: Record<string, number>;
  /** Accepted per second of the sending window: for the open loop, the rate really offered and taken. */
  acceptedRps: number;
  published: number;
  /** Published while the submitters ran, per second: the sustained rate. */
  completedRps: number;
  /** Accepted minus published once drained. */
  lost: number;
  /** The first 20 of those, with the API's view of each. */
  unfinished: Unfinished[];
  drainS: number;
  /** After the drain, until the API showed the phase's articles as published (the tracker caught up), s. */
  apiCatchUpS: number;
  apiCaughtUp: boolean;
  /** Submit (request sent) to published (article in the folder), ms. */
  latency: Distribution;
  /** POST /v1/requests response time, ms. */
  submitLatency: Distribution;
  /** Found by the folder rescan rather than the watch: their publish time is up to 2 s late. */
  rescued: number;
}

export function phaseResult(log: SubmitLog, watcher: PublishWatcher, drainMs: number): PhaseResult {
  const latencies: number[] = [];
  let inWindow = 0;
  let rescued = 0;
  for (const [id, sentAt] of log.sent) {
    const at = watcher.published.get(id);
    if (at === undefined) continue;
    if (watcher.rescued.has(id)) rescued++;
    latencies.push(at - sentAt);
    if (at <= log.endedAt) inWindow++;
  }
  const durationS = (log.endedAt - log.startedAt) / 1000;
  // Over the sending window, not until the last answer: a slow tail is latency, not a lower offered rate.
  const sendS = (log.sendEndedAt - log.startedAt) / 1000;
  return {
    durationS: round(durationS, 1),
    accepted: log.sent.size,
    rejected: log.rejected,
    acceptedRps: round(log.sent.size / (sendS > 0 ? sendS : durationS), 1),
    published: latencies.length,
    completedRps: round(inWindow / durationS, 1),
    lost: log.sent.size - latencies.length,
    unfinished: [],
    drainS: round(drainMs / 1000, 1),
    apiCatchUpS: 0,
    apiCaughtUp: true,
    latency: distribution(latencies),
    submitLatency: distribution(log.submitMs),
    rescued,
  };
}

/** Asks the API about each accepted request that never reached the folder (after the CPU window closed). */
export async function describeUnfinished(baseUrl: string, log: SubmitLog, watcher: PublishWatcher, limit = 20): Promise<Unfinished[]> {
  const ids = [...log.sent.keys()].filter((id) => !watcher.published.has(id)).slice(0, limit);
  return Promise.all(
    ids.map(async (id) => {
      const res = await getJson(`${baseUrl}/v1/requests/${id}`, log.owner.get(id)?.token).catch(() => undefined);
      const body = (res?.body ?? {}) as { status?: string; stages?: Unfinished['stages'] };
      return {
        id,
        status: body.status ?? `unknown (HTTP ${res?.status ?? 'no answer'})`,
        stages: (body.stages ?? []).map((s) => ({ stage: s.stage, status: s.status, attempts: s.attempts, error: s.error })),
      };
    }),
  );
}

// Each segment runs from one moment to another: the submission, the arrival of a stage event at the tap, the
// article in the folder. Completed events exist in every version of the pipeline; `started` ones may not
// (segments without data are left out).
const SEGMENTS = [
  ['submit → research started', 'submit', 'research.started'],
  ['submit → research completed', 'submit', 'research.completed'],
  ['research → write completed', 'research.completed', 'write.completed'],
  ['write → publish completed', 'write.completed', 'publish.completed'],
  ['publish completed → article seen', 'publish.completed', 'file'],
] as const;

/** Where the submit-to-published time goes: p50/p95 ms per segment, from the tap's stage-event arrivals. */
export function stageBreakdown(log: SubmitLog, tap: MessageTap, watcher: PublishWatcher): Record<string, { p50: number; p95: number }> {
  const out: Record<string, { p50: number; p95: number }> = {};
  for (const [name, from, to] of SEGMENTS) {
    const values: number[] = [];
    for (const [id, sentAt] of log.sent) {
      const m = { ...tap.marks.get(id), submit: sentAt, file: watcher.published.get(id) } as Record<string, number | undefined>;
      const a = m[from];
      const b = m[to];
      if (a !== undefined && b !== undefined) values.push(b - a);
    }
    if (values.length === 0) continue;
    const d = distribution(values);
    out[name] = { p50: d.p50, p95: d.p95 };
  }
  return out;
}
