import autocannon from 'autocannon';
import { startCpuMeter, singleProcess, type ProcessGroup } from '../support/cpu-meter.ts';
import { startDiskProbe, type DiskSyncReading } from '../support/disk-probe.ts';
import { round } from '../support/stats.ts';

/** One HTTP call as autocannon sends it; `n` counts the calls of a round, so a call can rotate accounts. */
export interface CallSpec {
  method: 'GET' | 'POST';
  path: (n: number) => string;
  headers: (n: number) => Record<string, string>;
  body?: (n: number) => string;
}

export interface RoundResult {
  kind: string;
  durationS: number;
  /** Every response, whatever its status. */
  calls: number;
  /** Responses with the status this kind of call must get, per second. */
  rps: number;
  expected: number;
  statuses: Record<string, number>;
  /** Connection errors and timeouts (not responses). */
  errors: number;
  p50: number;
  p99: number;
  /** The server's CPU over the round (and, for a submit, until the relay had published every task), ms. */
  cpuMs: number;
  cpuMsPerCall: number;
  /** Extra time the CPU window ran after the load stopped (the outbox relay catching up), s. */
  settleS: number;
  /** The disk's fdatasync latency while the load ran: a stall there is a stall of every commit. */
  disk: DiskSyncReading;
  /** With `others`: each shared server's CPU over the same window, ms (PostgreSQL, RabbitMQ, Redis). */
  othersCpuMs: Record<string, number>;
}

/** The shared servers' processes (support/infra-processes.ts), counted beside the answering one. */
export interface OtherProcesses {
  groups: ProcessGroup[];
  /** Family (PostgreSQL, RabbitMQ, Redis) → the group names that sum to it. */
  families: Record<string, string[]>;
}

/**
 * A fixed-duration autocannon run at `connections` against one server process, with that process's CPU
 * (utime + stime ticks from /proc) over the round divided by the calls answered, and with `others` the shared
 * servers' CPU over the same window. `settle` runs after the load stops and before the CPU reading, for work
 * the calls left behind (the outbox relay's publishes). The disk probe runs while the load does.
 */
export async function autocannonRound(opts: {
  kind: string;
  pid: number;
  baseUrl: string;
  call: CallSpec;
  expect: number;
  connections: number;
  durationS: number;
  settle?: (accepted: number) => Promise<void>;
  others?: OtherProcesses;
}): Promise<RoundResult> {
  const disk = await startDiskProbe();
  let diskReading: Promise<DiskSyncReading> | undefined;
  try {
    const cpu = await startCpuMeter([singleProcess('server', opts.pid), ...(opts.others?.groups ?? [])], 1000);
    let n = 0;
    const { call } = opts;
    const result = await autocannon({
      url: opts.baseUrl,
      connections: opts.connections,
      duration: opts.durationS,
      requests: [
        {
          method: call.method,
          setupRequest: (req) => {
            const i = n++;
            return { ...req, method: call.method, path: call.path(i), headers: call.headers(i), ...(call.body ? { body: call.body(i) } : {}) };
          },
        },
      ],
    });
    const loadEnded = performance.now();
    // Stopped now, read later: waiting out a sync in flight must not count as the relay's settling.
    diskReading = disk.stop();
    const statuses: Record<string, number> = {};
    for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count ?? 0;
    const calls = Object.values(statuses).reduce((a, b) => a + b, 0);
    const expected = statuses[String(opts.expect)] ?? 0;
    if (opts.settle) await opts.settle(expected);
    const settleS = round((performance.now() - loadEnded) / 1000, 1);
    const reading = await cpu.stop();
    const cpuMs = reading.groups['server']?.cpuMs ?? NaN;
    const othersCpuMs = Object.fromEntries(
      Object.entries(opts.others?.families ?? {}).map(([family, names]) => [family, names.reduce((a, g) => a + (reading.groups[g]?.cpuMs ?? 0), 0)]),
    );
    return {
      kind: opts.kind,
      durationS: result.duration,
      calls,
      rps: round(expected / result.duration, 1),
      expected,
      statuses,
      errors: result.errors,
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpuMs,
      cpuMsPerCall: calls > 0 ? round(cpuMs / calls, 3) : NaN,
      othersCpuMs,
      settleS,
      disk: await diskReading,
    };
  } finally {
    // A round that failed still stops its probe, or it would go on syncing beside every later round.
    await (diskReading ?? disk.stop());
  }
}
