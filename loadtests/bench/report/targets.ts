import type { BenchResults } from './results.ts';

export interface Row {
  suite: string;
  metric: string;
  value: string;
  target: string;
  met?: boolean;
}

const ms = (n: number) => `${n} ms`;

/** The table: each figure beside the target for it (issue 6, "Performance targets"). */
export function tableRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  if (r.gateway) {
    const g = r.gateway;
    rows.push(
      { suite: 'gateway', metric: `POST /v1/requests, full gateway (${g.connections} conn, 1 user)`, value: `${g.gateway.rps} req/s (CPU ${g.gateway.cpuPct} %)`, target: '' },
      { suite: 'gateway', metric: 'same route, bare express', value: `${g.express.rps} req/s (CPU ${g.express.cpuPct} %)`, target: '' },
      { suite: 'gateway', metric: 'gateway / express throughput', value: `${(g.ratio * 100).toFixed(1)} %`, target: '≥ 45 %', met: g.ratio >= 0.45 },
      { suite: 'gateway', metric: 'gateway latency p50 / p97.5 / p99', value: `${g.gateway.p50} / ${g.gateway.p97_5} / ${g.gateway.p99} ms`, target: 'p99 < 100 ms', met: g.gateway.p99 < 100 },
      { suite: 'gateway', metric: 'express latency p50 / p97.5 / p99', value: `${g.express.p50} / ${g.express.p97_5} / ${g.express.p99} ms`, target: '' },
    );
    const m = g.gatewayManyUsers;
    if (m && g.ratioManyUsers !== undefined)
      rows.push(
        { suite: 'gateway', metric: `same, the ${g.connections} conn spread over ${m.users} users`, value: `${m.rps} req/s (CPU ${m.cpuPct} %), ${(g.ratioManyUsers * 100).toFixed(1)} % of express`, target: '≥ 45 %', met: g.ratioManyUsers >= 0.45 },
        { suite: 'gateway', metric: `${m.users} users: latency p50 / p97.5 / p99`, value: `${m.p50} / ${m.p97_5} / ${m.p99} ms`, target: 'p99 < 100 ms', met: m.p99 < 100 },
      );
    if (g.gateway.non2xx + g.gateway.errors + (m ? m.non2xx + m.errors : 0) > 0) rows.push({ suite: 'gateway', metric: 'gateway non-2xx / errors', value: `${g.gateway.non2xx + (m?.non2xx ?? 0)} / ${g.gateway.errors + (m?.errors ?? 0)}`, target: '0', met: false });
  }
  if (r.pipeline) {
    const { fixedRate: f, saturation: s } = r.pipeline;
    rows.push(
      { suite: 'pipeline', metric: `completed end to end, ${s.window} in flight, ${s.durationS} s`, value: `${s.completedRps} req/s`, target: '≥ 200 req/s', met: s.completedRps >= 200 },
      { suite: 'pipeline', metric: `submit-to-published at ${f.rate} req/s: p50 / p95 / p99`, value: `${ms(f.latency.p50)} / ${ms(f.latency.p95)} / ${ms(f.latency.p99)}`, target: 'p95 < 1000 ms', met: f.latency.p95 < 1000 },
      { suite: 'pipeline', metric: `accepted / published at ${f.rate} req/s`, value: `${f.submitRps} / ${f.completedRps} req/s`, target: `${f.rate} / ${f.rate}`, met: f.completedRps >= f.rate * 0.95 },
      { suite: 'pipeline', metric: 'lost (submitted − published, both phases)', value: String(f.lost + s.lost), target: '0', met: f.lost + s.lost === 0 },
      { suite: 'pipeline', metric: 'CPU at saturation, % of one core', value: Object.entries(s.cpuPct).map(([k, v]) => `${k} ${v}`).join(', '), target: '' },
    );
  }
  if (r.llm) {
    const l = r.llm;
    rows.push(
      { suite: 'llm', metric: `write handler, uncached (provider ${l.providerLatencyMs} ms): p50 / p99`, value: `${ms(l.uncached.p50)} / ${ms(l.uncached.p99)}`, target: '' },
      { suite: 'llm', metric: 'write handler, cached: p50 / p99', value: `${ms(l.cached.p50)} / ${ms(l.cached.p99)}`, target: 'p99 < 5 ms', met: l.cached.p99 < 5 },
    );
  }
  if (r.soak) {
    for (const s of r.soak.services)
      rows.push({ suite: 'soak', metric: `${s.name} RSS: first third / peak / last third (medians)`, value: `${s.startMb} / ${s.peakMb} / ${s.endMb} MB (${s.growthPct >= 0 ? '+' : ''}${s.growthPct} %)`, target: 'growth ≤ 20 %', met: s.growthPct <= 20 });
    const p = r.soak.phase;
    rows.push(
      { suite: 'soak', metric: `lost over ${r.soak.minutes} min at ${p.submitRps} req/s`, value: String(p.lost), target: '0', met: p.lost === 0 },
      { suite: 'soak', metric: 'submit-to-published p50 / p95 / p99', value: `${ms(p.latency.p50)} / ${ms(p.latency.p95)} / ${ms(p.latency.p99)}`, target: '' },
    );
  }
  return rows;
}

export function markdownTable(rows: Row[]): string {
  const lines = ['| suite | measure | result | target | met |', '|---|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.suite} | ${row.metric} | ${row.value} | ${row.target} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}
