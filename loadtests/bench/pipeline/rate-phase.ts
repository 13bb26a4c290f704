import { brokerCounters, counterDelta } from '../support/broker-admin.ts';
import { startCpuMeter } from '../support/cpu-meter.ts';
import { STALL_MS, startDiskProbe, type DiskSyncReading } from '../support/disk-probe.ts';
import { log, round } from '../support/stats.ts';
import { untilApiCaughtUp } from './api-catch-up.ts';
import { byFamily, stackGroups, type RunContext } from './cpu-run.ts';
import { lagFromTimestamps, type TimestampLag } from './api-timestamps.ts';
import { startMessageTap, type TapCounts } from './message-tap.ts';
import { describeUnfinished, phaseResult, stageBreakdown, type PhaseResult } from './phase-result.ts';
import { startStatusLagProbe, type StatusLagResult } from './status-lag.ts';
import { drain, newSubmitLog, submitAtRate } from './submitters.ts';

export interface MessageStats {
  requests: number;
  /** Messages routed through the run's exchanges per request, clients' publishes and the broker's dead-letter re-publishes. */
  perRequest: number;
  byRoutePerRequest: Record<string, number>;
  /** Of those, re-published by the broker (a delay queue expiring into its work queue, a task over its delivery limit). */
  deadLetteredPerRequest: number;
  /** Publishes to delay queues (through the default exchange, seen as `retrying` events) per request. */
  delayPublishesPerRequest: number;
  /** Copies enqueued into the run's queues per request (quorum-queue writes: each is replicated and fsynced). */
  enqueuesPerRequest: number;
  /** Client publishes node-wide over the phase minus this run's: other users of the broker meanwhile. */
  otherPublishesPerS?: number;
  unsupported: string[];
  raw: TapCounts;
}

export interface RatePhase {
  rate: number;
  phase: PhaseResult;
  /** Informational: the tap and the GET polling add load of their own, so this is not the table's CPU figure. */
  cpuPerRequest: Record<string, number>;
  stages?: Record<string, { p50: number; p95: number }>;
  messages?: MessageStats;
  statusLag?: StatusLagResult;
  /** The same lag from the API's own `updated_at`, for every request of the phase. */
  timestampLag: TimestampLag;
  /** Largest backlog seen per place (outbox rows, each queue's ready messages; sampled every 5 s). */
  peakBacklog: Record<string, number>;
  /** The disk's fdatasync latency while requests were sent and drained: every commit and confirm waits on it. */
  disk: DiskSyncReading;
}

function messageStats(tap: TapCounts, requests: number, brokerWide: Record<string, number> | undefined, seconds: number): MessageStats {
  const per = (n: number) => (requests > 0 ? round(n / requests, 2) : NaN);
  const ours = tap.total - tap.deadLettered + tap.retrying;
  const received = brokerWide?.['amqp091 messages_received_total'];
  return {
    requests,
    perRequest: per(tap.total),
    byRoutePerRequest: Object.fromEntries(
      Object.entries(tap.byRoute)
        .sort()
        .map(([k, v]) => [k, per(v)]),
    ),
    deadLetteredPerRequest: per(tap.deadLettered),
    delayPublishesPerRequest: per(tap.retrying),
    enqueuesPerRequest: per(tap.enqueues),
    ...(received !== undefined ? { otherPublishesPerS: round(Math.max(0, received - ours) / seconds, 1) } : {}),
    unsupported: tap.unsupported,
    raw: tap,
  };
}

/**
 * An open-loop phase at `rate` requests/s: submit-to-published latency; with `tap`, the broker messages per
 * request and the per-stage breakdown; with `statusLag`, how far GET /v1/requests/{id} lags the article.
 */
export async function ratePhase(
  ctx: RunContext,
  opts: { name: string; rate: number; durationS: number; offset: number; tap?: boolean; statusLag?: boolean },
): Promise<RatePhase> {
  log(`pipeline: ${opts.name}: ${opts.rate} requests/s for ${opts.durationS} s`);
  const tap = opts.tap ? await startMessageTap(ctx.stack.prefix) : undefined;
  const before = await brokerCounters();
  ctx.backlog.reset();
  const submitted = newSubmitLog();
  const lag = opts.statusLag ? startStatusLagProbe({ baseUrl: ctx.stack.gatewayUrl, log: submitted, watcher: ctx.watcher, rate: opts.rate }) : undefined;
  const meter = await startCpuMeter(stackGroups(ctx));
  const diskProbe = await startDiskProbe();
  let drainMs: number;
  let disk: DiskSyncReading;
  try {
    await submitAtRate(
      { baseUrl: ctx.stack.gatewayUrl, users: ctx.users, durationS: opts.durationS, topics: 'corpus', offset: opts.offset, rate: opts.rate },
      submitted,
    );
    drainMs = await drain(submitted, ctx.watcher, ctx.stack.gatewayUrl);
  } finally {
    disk = await diskProbe.stop();
  }
  const api = await untilApiCaughtUp(ctx, submitted);
  const statusLag = await lag?.stop();
  const cpu = await meter.stop();
  const brokerWide = counterDelta(before, await brokerCounters());
  const phase = phaseResult(submitted, ctx.watcher, drainMs);
  phase.apiCatchUpS = round(api.ms / 1000, 1);
  phase.apiCaughtUp = api.caughtUp;
  for (const id of submitted.sent.keys()) ctx.accepted.add(id);
  phase.unfinished = await describeUnfinished(ctx.stack.gatewayUrl, submitted, ctx.watcher);
  const cpuPerRequest = Object.fromEntries(
    Object.entries(byFamily(cpu, ctx)).map(([k, ms]) => [k, phase.published > 0 ? round(ms / phase.published, 2) : NaN]),
  );
  const timestampLag = await lagFromTimestamps(ctx.stack.gatewayUrl, submitted, ctx.watcher);
  const result: RatePhase = {
    rate: opts.rate,
    phase,
    cpuPerRequest,
    timestampLag,
    peakBacklog: { ...ctx.backlog.peak },
    disk,
    ...(statusLag ? { statusLag } : {}),
  };
  if (tap) {
    // Give the last events a moment to reach the tap, then count.
    await new Promise((r) => setTimeout(r, 500));
    result.stages = stageBreakdown(submitted, tap, ctx.watcher);
    result.messages = messageStats(tap.counts(), phase.accepted, brokerWide, cpu.wallMs / 1000);
    await tap.close();
  }
  log(
    `pipeline: ${opts.name}: ${phase.accepted} accepted (${phase.acceptedRps}/s), ${phase.published} published, lost ${phase.lost}, ` +
      `submit-to-published p50 ${phase.latency.p50} p95 ${phase.latency.p95} p99 ${phase.latency.p99} ms` +
      (statusLag ? `; status lag polled p50 ${statusLag.lag.p50} p99 ${statusLag.lag.p99} ms (${statusLag.pollsPerRequest} GETs per request)` : '') +
      `; status lag from updated_at p50 ${timestampLag.lag.p50} p99 ${timestampLag.lag.p99} ms` +
      (result.messages ? `; ${result.messages.perRequest} broker messages, ${result.messages.enqueuesPerRequest} queue writes per request` : '') +
      `; disk fdatasync ${disk.error ? `not timed (${disk.error})` : `max ${disk.maxMs} ms (${disk.stalls} over ${STALL_MS} ms)`}` +
      `; API caught up ${phase.apiCatchUpS} s after the last article; peak backlog ${Object.entries(result.peakBacklog)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  );
  return result;
}
