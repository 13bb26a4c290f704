import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { submitRequest, type BenchUser } from '../support/api-client.ts';
import { ROOT } from '../support/child-process.ts';
import { sleep } from '../support/stats.ts';
import type { OutcomeListener } from './completion-listener.ts';

// Topics the embedded corpus answers (one per document), made unique per request so that no cache (search
// results, LLM answers) turns the run into a cache benchmark: each request does the full work.
const TOPICS = readdirSync(join(ROOT, 'services', 'research', 'corpus'))
  .filter((f) => /\.(md|txt|html)$/.test(f) && f !== 'LICENSE.md')
  .map((f) => f.replace(/\.\w+$/, '').replace(/-/g, ' '));

export interface SubmitLog {
  /** Accepted requests and when each was sent, on the performance clock. */
  sent: Map<string, number>;
  rejected: Record<string, number>;
  /** Response time of each POST /v1/requests, ms. */
  submitMs: number[];
  startedAt: number;
  endedAt: number;
}

function newLog(): SubmitLog {
  return { sent: new Map(), rejected: {}, submitMs: [], startedAt: performance.now(), endedAt: 0 };
}

async function submitOne(baseUrl: string, users: BenchUser[], n: number, log: SubmitLog): Promise<string | undefined> {
  const user = users[n % users.length]!;
  const body = { topic: `${TOPICS[n % TOPICS.length]} (bench ${n})`, length: 'short' };
  const at = performance.now();
  const res = await submitRequest(baseUrl, user.token, body);
  log.submitMs.push(performance.now() - at);
  if (res.id) log.sent.set(res.id, at);
  else log.rejected[String(res.status)] = (log.rejected[String(res.status)] ?? 0) + 1;
  return res.id;
}

/**
 * Open loop at a fixed rate: request n is sent at start + n/rate whatever happened to the earlier ones, so a
 * slow pipeline shows up as latency, not as a politely lower rate. In-flight HTTP calls are capped only to
 * keep a stalled gateway from exhausting sockets.
 */
export async function submitAtRate(opts: { baseUrl: string; users: BenchUser[]; rate: number; durationS: number; offset?: number }): Promise<SubmitLog> {
  const log = newLog();
  const total = Math.round(opts.rate * opts.durationS);
  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < total; i++) {
    const wait = log.startedAt + (i * 1000) / opts.rate - performance.now();
    if (wait > 1) await sleep(wait);
    if (inflight.size >= 512) await Promise.race(inflight);
    const p: Promise<unknown> = submitOne(opts.baseUrl, opts.users, (opts.offset ?? 0) + i, log).finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
  log.endedAt = performance.now();
  return log;
}

/**
 * Closed loop over the whole pipeline: `window` lanes each submit a request and wait for it to be published
 * before the next, so the pipeline always has `window` requests in flight and runs as fast as it can,
 * without a backlog that would outlast the run.
 */
export async function submitWithWindow(opts: { baseUrl: string; users: BenchUser[]; window: number; durationS: number; listener: OutcomeListener; offset?: number }): Promise<SubmitLog> {
  const log = newLog();
  const end = log.startedAt + opts.durationS * 1000;
  let n = opts.offset ?? 0;
  const lane = async () => {
    while (performance.now() < end) {
      const id = await submitOne(opts.baseUrl, opts.users, n++, log);
      if (id) await opts.listener.settled(id, 30_000);
      else await sleep(100);
    }
  };
  await Promise.all(Array.from({ length: opts.window }, lane));
  // The measured window is the one during which the lanes kept submitting; the last lanes' tails are drain.
  log.endedAt = end;
  return log;
}

/** Waits until every accepted request has an outcome, or nothing has changed for `quietMs`. */
export async function drain(log: SubmitLog, listener: OutcomeListener, quietMs = 15_000, maxMs = 180_000): Promise<number> {
  const started = performance.now();
  let lastCount = -1;
  let lastChange = started;
  for (;;) {
    let settled = 0;
    for (const id of log.sent.keys()) if (listener.outcomes.has(id)) settled++;
    if (settled === log.sent.size) break;
    if (settled !== lastCount) [lastCount, lastChange] = [settled, performance.now()];
    if (performance.now() - lastChange > quietMs || performance.now() - started > maxMs) break;
    await sleep(250);
  }
  return performance.now() - started;
}
