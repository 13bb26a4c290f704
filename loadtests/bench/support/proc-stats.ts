import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every common Linux). */
export const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** Milliseconds of CPU in one clock tick: the resolution of every CPU figure of the bench. */
export const MS_PER_TICK = 1000 / CLK_TCK;

/**
 * User + system clock ticks a process has used, summed over all its threads (fields 14 and 15 of
 * /proc/<pid>/stat, see proc(5)); undefined once the process is gone. Children are not included: a child's
 * ticks reach its parent's cutime/cstime only when it is reaped, so groups sample their children themselves.
 */
export async function cpuTicks(pid: number): Promise<number | undefined> {
  try {
    const fields = afterCommand(await readFile(`/proc/${pid}/stat`, 'utf8'));
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

export async function parentPid(pid: number): Promise<number | undefined> {
  try {
    return Number(afterCommand(await readFile(`/proc/${pid}/stat`, 'utf8'))[1]);
  } catch {
    return undefined;
  }
}

// The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are plain.
// Index 0 is then field 3 (state), 1 is field 4 (ppid), 11 and 12 are fields 14 and 15 (utime, stime).
function afterCommand(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Direct children of a process, from every thread's `children` file (a multi-threaded parent forks from any). */
export async function childPids(pid: number): Promise<number[]> {
  let threads: string[];
  try {
    threads = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const lists = await Promise.all(threads.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
  return [...new Set(lists.flatMap((l) => l.split(' ').filter(Boolean).map(Number)))];
}

export async function descendantPids(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length > 0;) {
    const next = (await Promise.all(frontier.map(childPids))).flat();
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** The process title: PostgreSQL rewrites it to `postgres: <cluster>: <user> <database> <client> <activity>`. */
export async function processTitle(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
}

export async function processExists(pid: number): Promise<boolean> {
  return (await cpuTicks(pid)) !== undefined;
}

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
