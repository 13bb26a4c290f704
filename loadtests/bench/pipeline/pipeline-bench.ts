import { registerAndLogin, type BenchUser } from '../support/api-client.ts';
import { cpuMeter } from '../support/proc-stats.ts';
import { log } from '../support/stats.ts';
import { startBacklogProbe, type Backlog } from './backlog-probe.ts';
import { listenForOutcomes } from './completion-listener.ts';
import { phaseResult, type PhaseResult } from './phase-result.ts';
import { startPipeline } from './pipeline-stack.ts';
import { drain, submitAtRate, submitWithWindow } from './submitters.ts';

export interface PipelineBenchResult {
  /** Open loop at `rate` requests/s: the latency figures. */
  fixedRate: PhaseResult & { rate: number; cpuPct: Record<string, number>; peakBacklog: Backlog };
  /** `window` requests kept in flight: the throughput figure. */
  saturation: PhaseResult & { window: number; cpuPct: Record<string, number>; peakBacklog: Backlog };
}

const USERS = 8;

export async function createUsers(baseUrl: string, n = USERS): Promise<BenchUser[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => registerAndLogin(baseUrl, `pipe${i}`)));
}

const describe = (name: string, r: PhaseResult & { cpuPct: Record<string, number>; peakBacklog: Backlog }) =>
  `pipeline ${name}: ${r.submitted} accepted (${r.submitRps}/s), ${r.published} published (${r.completedRps}/s sustained), ` +
  `lost ${r.lost}, p50 ${r.latency.p50} ms, p95 ${r.latency.p95} ms, p99 ${r.latency.p99} ms, drained in ${r.drainS} s; ` +
  `CPU % of a core: ${Object.entries(r.cpuPct).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
  `peak backlog: ${Object.entries(r.peakBacklog).map(([k, v]) => `${k} ${v}`).join(', ')}`;

/** Submit-to-published latency at a fixed rate, then the throughput the four services sustain together. */
export async function runPipelineBench(opts: { rate: number; window: number; durationS: number; settings?: Record<string, string>; nodeArgs?: string[] }): Promise<PipelineBenchResult> {
  const stack = await startPipeline('benchpipe', { settings: opts.settings ?? {}, ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}) });
  const listener = await listenForOutcomes(stack.prefix);
  const backlog = await startBacklogProbe(stack.id, stack.prefix);
  try {
    const users = await createUsers(stack.gatewayUrl);
    log(`pipeline: ${opts.rate} requests/s for ${opts.durationS} s`);
    let cpu = await cpuMeter(stack.services);
    const fixedLog = await submitAtRate({ baseUrl: stack.gatewayUrl, users, rate: opts.rate, durationS: opts.durationS });
    const fixedCpu = await cpu.stop();
    const fixed = { rate: opts.rate, cpuPct: fixedCpu, ...phaseResult(fixedLog, listener, await drain(fixedLog, listener)), peakBacklog: { ...backlog.peak } };
    log(describe('fixed rate', fixed));

    log(`pipeline: saturation, ${opts.window} requests in flight for ${opts.durationS} s`);
    backlog.reset();
    cpu = await cpuMeter(stack.services);
    const satLog = await submitWithWindow({ baseUrl: stack.gatewayUrl, users, window: opts.window, durationS: opts.durationS, listener, offset: fixedLog.sent.size + 1 });
    const satCpu = await cpu.stop();
    const saturation = { window: opts.window, cpuPct: satCpu, ...phaseResult(satLog, listener, await drain(satLog, listener)), peakBacklog: { ...backlog.peak } };
    log(describe('saturation', saturation));
    return { fixedRate: fixed, saturation };
  } finally {
    await backlog.stop();
    await listener.close();
    await stack.stop();
  }
}
