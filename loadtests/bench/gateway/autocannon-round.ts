import autocannon from 'autocannon';
import { cpuMeter } from '../support/proc-stats.ts';
import { round } from '../support/stats.ts';

export interface RoundResult {
  target: string;
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  /** The server process's CPU during the round, % of one core: near 100 means it is CPU-bound. */
  serverCpuPct: number;
}

/** One fixed-duration autocannon run at `connections`: the same authenticated JSON POST for both targets. */
export async function autocannonRound(opts: { target: string; pid: number; url: string; connections: number; durationS: number; tokens: string[]; body: unknown }): Promise<RoundResult> {
  const body = JSON.stringify(opts.body);
  const cpu = await cpuMeter([{ name: 'server', pid: opts.pid }]);
  // With several accounts, request n goes out as account n mod N (each user's submissions are serialised by
  // the gateway's per-user quota lock, so one account measures that lock as much as the gateway).
  let n = 0;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.durationS,
    requests: [
      {
        method: 'POST',
        body,
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'content-type': 'application/json', authorization: `Bearer ${opts.tokens[n++ % opts.tokens.length]}` } }),
      },
    ],
  });
  const { server: serverCpuPct = NaN } = await cpu.stop();
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count ?? 0;
  return {
    target: opts.target,
    rps: round(result['2xx'] / result.duration, 1),
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statuses,
    serverCpuPct,
  };
}
