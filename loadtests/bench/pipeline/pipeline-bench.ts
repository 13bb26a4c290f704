import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createUsers, getJson, type BenchUser } from '../support/api-client.ts';
import { startScript, type ServiceName } from '../support/child-process.ts';
import { summariseProfile, type ProfileSummary } from '../support/cpu-profile.ts';
import { findInfraGroups } from '../support/infra-processes.ts';
import { startStack } from '../support/stack.ts';
import { log, round, sleep } from '../support/stats.ts';
import { connectBroker } from '../support/broker-admin.ts';
import { untilApiCaughtUp } from './api-catch-up.ts';
import { startBacklogProbe } from './backlog-probe.ts';
import { cpuRun, type CpuRun, type RunContext } from './cpu-run.ts';
import { watchPublished, type PublishWatcher } from './publish-watcher.ts';
import { ratePhase, type RatePhase } from './rate-phase.ts';
import { drain, submitAtRate } from './submitters.ts';

export interface PipelineBenchResult {
  users: number;
  /** The standard mix at saturation: CPU per request by process, requests/s completed, lost. */
  burst: CpuRun;
  /** Open loop at `--rate`: submit-to-published latency, broker messages per request, stage breakdown. */
  latency: RatePhase;
  /** Open loop at `--lag-rate`: status lag. */
  lag: RatePhase;
  unique?: CpuRun;
  otlp?: CpuRun;
  /** After every phase: what the API says of every request the run got accepted, against the articles out. */
  apiCheck: { accepted: number; articles: number; shownPublished: number; articleNotPublished: Record<string, number>; withoutArticle: Record<string, number> };
  /** Shared servers whose processes could not be measured, and why. */
  unmeasured: Record<string, string>;
  profiles?: Record<string, ProfileSummary>;
}

export interface PipelineOptions {
  users: number;
  window: number;
  burstS: number;
  rate: number;
  lagRate: number;
  phaseS: number;
  variantS: number;
  settings: Record<string, string>;
  profileDir?: string | undefined;
}

const SERVICES: ServiceName[] = ['gateway', 'research', 'llm', 'publisher'];

/** A stack with everything a measured run needs around it; `work` gets it warmed up (caches filled, JIT done). */
async function withRunContext<T>(label: string, opts: PipelineOptions, settings: Record<string, string>, work: (ctx: RunContext) => Promise<T>): Promise<T> {
  const profileDir = opts.profileDir ? join(opts.profileDir, label) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const stack = await startStack(label, {
    services: SERVICES,
    settings: { ...opts.settings, ...settings },
    ...(profileDir ? { nodeArgs: (name: ServiceName) => ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] } : {}),
  });
  const watcher = await watchPublished(stack.publishDir);
  const backlog = await startBacklogProbe(stack.id, stack.prefix);
  const broker = await connectBroker();
  try {
    const infra = await findInfraGroups({ database: stack.database, exclude: () => [backlog.pgPid] });
    for (const [family, why] of Object.entries(infra.missing)) log(`pipeline: ${family} CPU not measured: ${why}`);
    const users = await createUsers(stack.gatewayUrl, opts.users, 'pipe');
    log(`pipeline: ${label} running, ${users.length} accounts; warming up`);
    const ctx: RunContext = { stack, watcher, infra, users, backlog, accepted: new Set(), broker };
    // Warm-up, not recorded: every corpus subject a few times (search and LLM caches), JIT, pools, prefetch.
    const warm = await submitAtRate({ baseUrl: stack.gatewayUrl, users, durationS: 4, topics: 'corpus', offset: 0, rate: 50 });
    await drain(warm, watcher, stack.gatewayUrl);
    await untilApiCaughtUp(ctx, warm);
    for (const id of warm.sent.keys()) ctx.accepted.add(id);
    return await work(ctx);
  } finally {
    watcher.close();
    await broker.close().catch(() => undefined);
    await backlog.stop();
    await stack.stop();
  }
}

/**
 * Every request of the run as the API lists it to its owner (GET /v1/requests, paged): each one whose article
 * is out must read `published`, and no accepted one may be missing from the listing. Requests without an
 * article are the lost ones, reported per phase with their status.
 */
async function apiCheck(baseUrl: string, users: BenchUser[], accepted: Set<string>, watcher: PublishWatcher): Promise<PipelineBenchResult['apiCheck']> {
  const status = new Map<string, string>();
  await Promise.all(
    users.map(async (u) => {
      let cursor: string | null | undefined;
      do {
        const res = await getJson(`${baseUrl}/v1/requests?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, u.token);
        if (res.status !== 200) break;
        const page = res.body as { items: Array<{ id: string; status: string }>; next_cursor: string | null };
        for (const item of page.items) status.set(item.id, item.status);
        cursor = page.next_cursor;
      } while (cursor);
    }),
  );
  const out: PipelineBenchResult['apiCheck'] = { accepted: accepted.size, articles: 0, shownPublished: 0, articleNotPublished: {}, withoutArticle: {} };
  for (const id of accepted) {
    const s = status.get(id) ?? 'not listed';
    if (watcher.published.has(id)) {
      out.articles++;
      if (s === 'published') out.shownPublished++;
      else out.articleNotPublished[s] = (out.articleNotPublished[s] ?? 0) + 1;
    } else out.withoutArticle[s] = (out.withoutArticle[s] ?? 0) + 1;
  }
  return out;
}

/**
 * The pipeline table, on one stack: open-loop phases for latency and status lag, the standard mix's
 * saturation burst (the CPU and throughput figures), then unique topics; and on a second stack, the
 * standard burst again with every span exported to a local OTLP receiver.
 */
export async function runPipelineBench(opts: PipelineOptions): Promise<PipelineBenchResult> {
  const result: PipelineBenchResult = await withRunContext('benchpipe', opts, {}, async (ctx) => {
    // The open-loop phases first: a saturation burst can leave the tracker behind for a while, and its
    // aftermath must not count against the latency targets (each phase waits for the API to catch up).
    const latency = await ratePhase(ctx, { name: 'latency', rate: opts.rate, durationS: opts.phaseS, offset: 2_000_000, tap: true });
    const lag = await ratePhase(ctx, { name: 'status lag', rate: opts.lagRate, durationS: opts.phaseS, offset: 3_000_000, statusLag: true });
    const burst = await cpuRun(ctx, { name: 'standard mix', topics: 'corpus', window: opts.window, durationS: opts.burstS, offset: 1_000_000 });
    const unique =
      opts.variantS > 0 ? await cpuRun(ctx, { name: 'unique topics', topics: 'unique', window: opts.window, durationS: opts.variantS, offset: 0 }) : undefined;
    const check = await apiCheck(ctx.stack.gatewayUrl, ctx.users, ctx.accepted, ctx.watcher);
    return { users: opts.users, burst, latency, lag, ...(unique ? { unique } : {}), apiCheck: check, unmeasured: ctx.infra.missing };
  });
  if (opts.variantS > 0) result.otlp = await otlpRun(opts);
  if (opts.profileDir) result.profiles = await readProfiles(join(opts.profileDir, 'benchpipe'));
  return result;
}

/** The standard burst with every span exported (default sampling: every trace) to a counting receiver. */
async function otlpRun(opts: PipelineOptions): Promise<CpuRun> {
  const receiver = await startScript('otlp-receiver', join(import.meta.dirname, 'otlp-receiver.ts'));
  const statsUrl = `http://127.0.0.1:${receiver.port}/stats`;
  const stats = async () => (await getJson(statsUrl)).body as { spans: number; traces: number; exports: number; byService: Record<string, number> };
  try {
    return await withRunContext('benchotlp', opts, { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}` }, async (ctx) => {
      // The warm-up's spans may still be on their way: start counting once the receiver is quiet.
      await untilQuiet(stats);
      const before = await stats();
      const run = await cpuRun(ctx, {
        name: 'every span exported',
        topics: 'corpus',
        window: opts.window,
        durationS: opts.variantS,
        offset: 1_000_000,
        settle: () => untilQuiet(stats),
      });
      const after = await stats();
      const spans = after.spans - before.spans;
      const byService = Object.fromEntries(
        Object.entries(after.byService).map(([k, v]) => [k, round((v - (before.byService[k] ?? 0)) / (run.phase.published || 1), 2)]),
      );
      run.extra = {
        spansPerRequest: round(spans / (run.phase.published || 1), 2),
        tracesPerRequest: round((after.traces - before.traces) / (run.phase.published || 1), 2),
        spansPerRequestByService: byService,
        exports: after.exports - before.exports,
      };
      log(`pipeline: every span exported: ${run.extra['spansPerRequest']} spans and ${run.extra['tracesPerRequest']} traces per request`);
      return run;
    });
  } finally {
    await receiver.stop();
  }
}

/** Waits until the receiver has seen no new span for 3 s (the batch span processor exports every 2 s by default). */
async function untilQuiet(stats: () => Promise<{ spans: number }>, maxMs = 20_000): Promise<void> {
  const started = performance.now();
  let last = -1;
  let since = performance.now();
  while (performance.now() - started < maxMs) {
    const { spans } = await stats();
    if (spans !== last) [last, since] = [spans, performance.now()];
    else if (performance.now() - since >= 3000) return;
    await sleep(250);
  }
}

async function readProfiles(dir: string): Promise<Record<string, ProfileSummary>> {
  const out: Record<string, ProfileSummary> = {};
  for (const file of await readdir(dir).catch(() => [] as string[]))
    if (file.endsWith('.cpuprofile')) out[file.replace('.cpuprofile', '')] = await summariseProfile(join(dir, file), 12);
  return out;
}
