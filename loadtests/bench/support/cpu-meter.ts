import { cpuTicks, MS_PER_TICK } from './proc-stats.ts';
import { round } from './stats.ts';

/** A set of processes whose CPU is counted together (a service, PostgreSQL's backends and helpers, the broker). */
export interface ProcessGroup {
  name: string;
  /** The processes that belong to the group right now; asked at every sample, so short-lived ones are seen. */
  members(): Promise<number[]>;
}

export function singleProcess(name: string, pid: number): ProcessGroup {
  return { name, members: async () => [pid] };
}

export interface GroupCpu {
  /** CPU time used over the window, ms (resolution: one clock tick, 10 ms). */
  cpuMs: number;
  /** Processes counted. */
  processes: number;
  /** Processes that exited during the window: their CPU after the last sample before exit (< sampleMs) is missing. */
  exited: number;
}

export interface CpuReading {
  wallMs: number;
  groups: Record<string, GroupCpu>;
}

interface Track {
  first: number;
  last: number;
  gone: boolean;
}

/**
 * CPU per group over a window, from /proc/<pid>/stat. A process present at the start counts from its ticks
 * then; one that appears later was born inside the window and counts from zero; one that exits keeps its
 * last sampled value. Sampling every `sampleMs` is what makes short-lived processes (a PostgreSQL backend
 * opened and closed by a pool) count: reading only at the start and the end would miss them entirely.
 */
export async function startCpuMeter(groups: ProcessGroup[], sampleMs = 500) {
  const started = performance.now();
  const tracks = new Map<string, Map<number, Track>>(groups.map((g) => [g.name, new Map()]));

  async function sample(initial: boolean): Promise<void> {
    await Promise.all(
      groups.map(async (g) => {
        const byPid = tracks.get(g.name)!;
        const pids = await g.members().catch(() => [] as number[]);
        const seen = new Set(pids);
        await Promise.all(
          pids.map(async (pid) => {
            const ticks = await cpuTicks(pid);
            if (ticks === undefined) return;
            const t = byPid.get(pid);
            if (t) t.last = ticks;
            else byPid.set(pid, { first: initial ? ticks : 0, last: ticks, gone: false });
          }),
        );
        for (const [pid, t] of byPid) if (!seen.has(pid) && !t.gone && (await cpuTicks(pid)) === undefined) t.gone = true;
      }),
    );
  }

  await sample(true);
  let sampling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(() => sample(false));
  }, sampleMs);

  return {
    async stop(): Promise<CpuReading> {
      clearInterval(timer);
      await sampling;
      await sample(false);
      const out: Record<string, GroupCpu> = {};
      for (const [name, byPid] of tracks) {
        let ticks = 0;
        let exited = 0;
        for (const t of byPid.values()) {
          ticks += Math.max(0, t.last - t.first);
          if (t.gone) exited++;
        }
        out[name] = { cpuMs: round(ticks * MS_PER_TICK, 0), processes: byPid.size, exited };
      }
      return { wallMs: Math.round(performance.now() - started), groups: out };
    },
  };
}

export type CpuMeter = Awaited<ReturnType<typeof startCpuMeter>>;

/** CPU ms per unit of work (a call, a request) for each group; NaN when nothing was done. */
export function perUnit(reading: CpuReading, units: number, digits = 2): Record<string, number> {
  return Object.fromEntries(Object.entries(reading.groups).map(([name, g]) => [name, units > 0 ? round(g.cpuMs / units, digits) : NaN]));
}

/** Share of one core each group used over the window, %. */
export function corePercent(reading: CpuReading): Record<string, number> {
  return Object.fromEntries(Object.entries(reading.groups).map(([name, g]) => [name, Math.round((100 * g.cpuMs) / (reading.wallMs || 1))]));
}
