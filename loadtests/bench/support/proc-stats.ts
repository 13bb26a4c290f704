import { readFile } from 'node:fs/promises';

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS is in kB); undefined once it is gone. */
export async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat fields 14 and 15 (clock ticks of 1/100 s). */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Starts a CPU meter over some processes; `stop()` gives each one's share of one core, in %, since start. */
export async function cpuMeter(processes: Array<{ name: string; pid: number }>) {
  const started = performance.now();
  const before = await Promise.all(processes.map((p) => cpuSeconds(p.pid)));
  return {
    async stop(): Promise<Record<string, number>> {
      const after = await Promise.all(processes.map((p) => cpuSeconds(p.pid)));
      const wallS = (performance.now() - started) / 1000;
      return Object.fromEntries(processes.map((p, i) => [p.name, Math.round((100 * (after[i]! - before[i]!)) / wallS)]));
    },
  };
}
