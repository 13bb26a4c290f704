import { getJson, submitRequest, type BenchUser } from '../support/api-client.ts';
import { sleep } from '../support/stats.ts';
import { submitBody, type TopicMode } from '../support/topics.ts';
import type { PublishWatcher } from './publish-watcher.ts';

export interface SubmitLog {
  /** Accepted requests and when each was sent, on the performance clock. */
  sent: Map<string, number>;
  /** Which account sent each accepted request (its owner: the only one allowed to read it). */
  owner: Map<string, BenchUser>;
  rejected: Record<string, number>;
  /** Response time of each POST /v1/requests, ms. */
  submitMs: number[];
  startedAt: number;
  /** When the last submission was sent: the rate offered is the submissions over [startedAt, sendEndedAt]. */
  sendEndedAt: number;
  /** When the last answer came back (open loop) or the lanes stopped submitting (closed loop). */
  endedAt: number;
}

export interface SubmitOptions {
  baseUrl: string;
  users: BenchUser[];
  durationS: number;
  topics: TopicMode;
  /** Numbering continues across phases, so unique topics stay unique and accounts keep rotating. */
  offset: number;
}

/** Created by the caller before submitting, so that probes can follow the requests as they are accepted. */
export function newSubmitLog(): SubmitLog {
  return { sent: new Map(), owner: new Map(), rejected: {}, submitMs: [], startedAt: performance.now(), sendEndedAt: 0, endedAt: 0 };
}

async function submitOne(opts: SubmitOptions, n: number, log: SubmitLog): Promise<string | undefined> {
  const user = opts.users[n % opts.users.length]!;
  const at = performance.now();
  const res = await submitRequest(opts.baseUrl, user.token, submitBody(n, opts.topics));
  log.submitMs.push(performance.now() - at);
  if (res.id) {
    log.sent.set(res.id, at);
    log.owner.set(res.id, user);
  } else log.rejected[String(res.status)] = (log.rejected[String(res.status)] ?? 0) + 1;
  return res.id;
}

/**
 * Open loop at a fixed rate: request n is sent at start + n/rate whatever happened to the earlier ones, so a
 * slow pipeline shows up as latency, not as a politely lower rate. In-flight HTTP calls are capped only to
 * keep a stalled gateway from exhausting sockets.
 */
export async function submitAtRate(opts: SubmitOptions & { rate: number }, log = newSubmitLog()): Promise<SubmitLog> {
  log.startedAt = performance.now();
  const total = Math.round(opts.rate * opts.durationS);
  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < total; i++) {
    const wait = log.startedAt + (i * 1000) / opts.rate - performance.now();
    if (wait > 1) await sleep(wait);
    if (inflight.size >= 512) await Promise.race(inflight);
    const p: Promise<unknown> = submitOne(opts, opts.offset + i, log).finally(() => inflight.delete(p));
    inflight.add(p);
  }
  log.sendEndedAt = performance.now();
  await Promise.all(inflight);
  log.endedAt = performance.now();
  return log;
}

/**
 * Closed loop over the whole pipeline: `window` lanes each submit a request and wait until it is published
 * before the next, so the pipeline always has `window` requests in flight and runs as fast as it can,
 * without a backlog that would outlast the run.
 */
export async function submitWithWindow(opts: SubmitOptions & { window: number; watcher: PublishWatcher }, log = newSubmitLog()): Promise<SubmitLog> {
  log.startedAt = performance.now();
  const end = log.startedAt + opts.durationS * 1000;
  let n = opts.offset;
  const lane = async () => {
    while (performance.now() < end) {
      const id = await submitOne(opts, n++, log);
      if (id) await opts.watcher.settled(id, 30_000);
      else await sleep(100);
    }
  };
  await Promise.all(Array.from({ length: opts.window }, lane));
  // The measured window is the one during which the lanes kept submitting; the last lanes' tails are drain.
  log.sendEndedAt = log.endedAt = end;
  return log;
}

/**
 * Waits until every accepted request is published, or nothing has changed for `quietMs`. When a few are left
 * and nothing moves for 2 s, their owners ask the API: if all of them have failed (a documented outcome, such
 * as a topic without sources) there is nothing to wait for. Returns ms waited.
 */
export async function drain(log: SubmitLog, watcher: PublishWatcher, baseUrl: string, quietMs = 15_000, maxMs = 180_000): Promise<number> {
  const started = performance.now();
  let lastCount = -1;
  let lastChange = started;
  let lastAsked = 0;
  for (;;) {
    const left = [...log.sent.keys()].filter((id) => !watcher.published.has(id));
    if (left.length === 0) break;
    const now = performance.now();
    if (left.length !== lastCount) [lastCount, lastChange] = [left.length, now];
    if (now - lastChange > quietMs || now - started > maxMs) break;
    if (left.length <= 50 && now - lastChange > 2000 && now - lastAsked > 2000) {
      lastAsked = now;
      const statuses = await Promise.all(
        left.map((id) =>
          getJson(`${baseUrl}/v1/requests/${id}`, log.owner.get(id)?.token).then(
            (r) => (r.body as { status?: string } | undefined)?.status,
            () => undefined,
          ),
        ),
      );
      if (statuses.every((s) => s === 'failed' || s === 'cancelled')) break;
    }
    await sleep(100);
  }
  return performance.now() - started;
}
