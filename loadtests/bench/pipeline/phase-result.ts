import { distribution, round, type Distribution } from '../support/stats.ts';
import type { OutcomeListener } from './completion-listener.ts';
import type { SubmitLog } from './submitters.ts';

export interface PhaseResult {
  durationS: number;
  submitted: number;
  rejected: Record<string, number>;
  /** Accepted submissions per second actually achieved. */
  submitRps: number;
  published: number;
  /** Published per second while the submitters ran (the sustained rate). */
  completedRps: number;
  /** submitted − published once drained: failed ones included (see `failed`). */
  lost: number;
  failed: Record<string, number>;
  drainS: number;
  /** Submit-to-published latency, ms. */
  latency: Distribution;
  /** POST /v1/requests response time, ms. */
  submitLatency: Distribution;
  /** Where the submit-to-published time goes: p50/p95 ms per segment (see SEGMENTS). */
  stages: Record<string, { p50: number; p95: number }>;
}

// Each segment runs from one event's receipt to another's. A stage's `completed` event is published after its
// next task, so the hand-on segments run start to start; `run` is a stage's own started → completed.
const SEGMENTS = [
  ['queued for research', 'submit', 'research.started'],
  ['research → write started', 'research.started', 'write.started'],
  ['write → publish started', 'write.started', 'publish.started'],
  ['publish', 'publish.started', 'publish.completed'],
  ['research.run', 'research.started', 'research.completed'],
  ['write.run', 'write.started', 'write.completed'],
] as const;

function stageBreakdown(log: SubmitLog, listener: OutcomeListener): PhaseResult['stages'] {
  const out: PhaseResult['stages'] = {};
  for (const [name, from, to] of SEGMENTS) {
    const values: number[] = [];
    for (const [id, sentAt] of log.sent) {
      const m = listener.marks.get(id);
      const a = from === 'submit' ? sentAt : m?.[from];
      const b = m?.[to];
      if (a !== undefined && b !== undefined) values.push(b - a);
    }
    const d = distribution(values);
    out[name] = { p50: d.p50, p95: d.p95 };
  }
  return out;
}

export function phaseResult(log: SubmitLog, listener: OutcomeListener, drainMs: number): PhaseResult {
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let inWindow = 0;
  for (const [id, sentAt] of log.sent) {
    const o = listener.outcomes.get(id);
    if (!o) continue;
    if (!o.published) {
      failed[o.reason ?? 'failed'] = (failed[o.reason ?? 'failed'] ?? 0) + 1;
      continue;
    }
    latencies.push(o.at - sentAt);
    if (o.at <= log.endedAt) inWindow++;
  }
  const durationS = (log.endedAt - log.startedAt) / 1000;
  return {
    durationS: round(durationS, 1),
    submitted: log.sent.size,
    rejected: log.rejected,
    submitRps: round(log.sent.size / durationS, 1),
    published: latencies.length,
    completedRps: round(inWindow / durationS, 1),
    lost: log.sent.size - latencies.length,
    failed,
    drainS: round(drainMs / 1000, 1),
    latency: distribution(latencies),
    submitLatency: distribution(log.submitMs),
    stages: stageBreakdown(log, listener),
  };
}
