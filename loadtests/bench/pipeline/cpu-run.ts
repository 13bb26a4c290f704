import type { BenchUser } from '../support/api-client.ts';
import { brokerCounters, counterDelta, type connectBroker } from '../support/broker-admin.ts';
import { corePercent, singleProcess, startCpuMeter, type CpuReading, type ProcessGroup } from '../support/cpu-meter.ts';
import type { InfraGroups } from '../support/infra-processes.ts';
import type { Stack } from '../support/stack.ts';
import { log, round, sleep } from '../support/stats.ts';
import type { TopicMode } from '../support/topics.ts';
import { untilApiCaughtUp } from './api-catch-up.ts';
import { lagFromTimestamps, type TimestampLag } from './api-timestamps.ts';
import type { Backlog } from './backlog-probe.ts';
import { describeUnfinished, phaseResult, type PhaseResult } from './phase-result.ts';
import type { PublishWatcher } from './publish-watcher.ts';
import { drain, submitWithWindow } from './submitters.ts';

export interface CpuRun {
  name: string;
  topics: TopicMode;
  window: number;
  phase: PhaseResult;
  /** Raw CPU per group over the burst and its drain (PostgreSQL as backends + shared processes). */
  cpu: CpuReading;
  /** CPU ms per published request, by process family (gateway, research, llm, publisher, PostgreSQL, RabbitMQ, Redis). */
  perRequest: Record<string, number>;
  totalPerRequest: number;
  /** Share of one core per family over the window, %. */
  corePct: Record<string, number>;
  /** CPU per second of each family just before, with nothing submitted: other users of the shared servers show here. */
  idleFloorMsPerS: Record<string, number>;
  /** The node-wide RabbitMQ counters' change over the window (every user of the broker, not only this run). */
  brokerWide?: Record<string, number>;
  peakBacklog: Backlog;
  /** How far the API's view lagged the articles, from its own `updated_at` (read after the window). */
  timestampLag: TimestampLag;
  extra?: Record<string, unknown>;
}

export interface RunContext {
  stack: Stack;
  watcher: PublishWatcher;
  infra: InfraGroups;
  users: BenchUser[];
  backlog: { peak: Backlog; reset(): void };
  /** Every request the run got accepted, for the API check at the end. */
  accepted: Set<string>;
  broker: Awaited<ReturnType<typeof connectBroker>>;
}

/** The groups of a stack: each service's process, then the shared servers' processes. */
export function stackGroups(ctx: Pick<RunContext, 'stack' | 'infra'>): ProcessGroup[] {
  return [...ctx.stack.services.map((s) => singleProcess(s.name, s.pid)), ...ctx.infra.groups];
}

/** Sums a reading's groups into the families of the table (PostgreSQL's two groups are one column). */
export function byFamily(reading: CpuReading, ctx: Pick<RunContext, 'stack' | 'infra'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of ctx.stack.services) out[s.name] = reading.groups[s.name]?.cpuMs ?? NaN;
  for (const [family, names] of Object.entries(ctx.infra.families)) out[family] = names.reduce((a, n) => a + (reading.groups[n]?.cpuMs ?? 0), 0);
  for (const family of Object.keys(ctx.infra.missing)) out[family] = NaN;
  return out;
}

async function idleFloor(ctx: RunContext, seconds = 4): Promise<Record<string, number>> {
  const meter = await startCpuMeter(stackGroups(ctx));
  await sleep(seconds * 1000);
  const reading = await meter.stop();
  return Object.fromEntries(Object.entries(byFamily(reading, ctx)).map(([k, ms]) => [k, round(ms / (reading.wallMs / 1000), 1)]));
}

/**
 * A saturation burst: `window` requests kept in flight for `durationS`, then the drain; every process's CPU
 * over both (the drain lasting until the API shows the articles too, so the tracker's work is inside),
 * divided by the requests published. `settle` runs inside the window after the drain (the span
 * exporter's last batch). The measured processes get no other load: completion is seen in the publish
 * folder, and nothing is asked of the gateway until the window has closed.
 */
export async function cpuRun(
  ctx: RunContext,
  opts: { name: string; topics: TopicMode; window: number; durationS: number; offset: number; settle?: () => Promise<void> },
): Promise<CpuRun> {
  const idleFloorMsPerS = await idleFloor(ctx);
  const before = await brokerCounters();
  ctx.backlog.reset();
  log(`pipeline: ${opts.name}: ${opts.window} requests in flight for ${opts.durationS} s`);
  const meter = await startCpuMeter(stackGroups(ctx));
  const submitted = await submitWithWindow({
    baseUrl: ctx.stack.gatewayUrl,
    users: ctx.users,
    durationS: opts.durationS,
    topics: opts.topics,
    offset: opts.offset,
    window: opts.window,
    watcher: ctx.watcher,
  });
  const drainMs = await drain(submitted, ctx.watcher, ctx.stack.gatewayUrl);
  const api = await untilApiCaughtUp(ctx, submitted);
  await opts.settle?.();
  const cpu = await meter.stop();
  const brokerWide = counterDelta(before, await brokerCounters());
  const phase = phaseResult(submitted, ctx.watcher, drainMs);
  phase.apiCatchUpS = round(api.ms / 1000, 1);
  phase.apiCaughtUp = api.caughtUp;
  for (const id of submitted.sent.keys()) ctx.accepted.add(id);
  phase.unfinished = await describeUnfinished(ctx.stack.gatewayUrl, submitted, ctx.watcher);
  const timestampLag = await lagFromTimestamps(ctx.stack.gatewayUrl, submitted, ctx.watcher);
  const families = byFamily(cpu, ctx);
  const perRequest = Object.fromEntries(Object.entries(families).map(([k, ms]) => [k, phase.published > 0 ? round(ms / phase.published, 2) : NaN]));
  const totalPerRequest = round(
    Object.values(perRequest).reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0),
    2,
  );
  const corePct = corePercent({
    wallMs: cpu.wallMs,
    groups: Object.fromEntries(Object.entries(families).map(([k, ms]) => [k, { cpuMs: ms, processes: 0, exited: 0 }])),
  });
  const run: CpuRun = {
    name: opts.name,
    topics: opts.topics,
    window: opts.window,
    phase,
    cpu,
    perRequest,
    totalPerRequest,
    corePct,
    idleFloorMsPerS,
    peakBacklog: { ...ctx.backlog.peak },
    timestampLag,
    ...(brokerWide ? { brokerWide } : {}),
  };
  log(
    `pipeline: ${opts.name}: ${phase.accepted} accepted, ${phase.published} published (${phase.completedRps}/s), lost ${phase.lost}, ` +
      `drained in ${phase.drainS} s, API caught up ${phase.apiCatchUpS} s later; CPU ms per request: ${Object.entries(perRequest)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; total ${totalPerRequest}; ` +
      `peak backlog ${Object.entries(run.peakBacklog)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  );
  return run;
}
