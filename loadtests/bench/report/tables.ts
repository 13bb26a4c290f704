import type { GatewayBenchResult } from '../gateway/gateway-bench.ts';
import type { LlmCacheBenchResult } from '../llm/llm-cache-bench.ts';
import type { CpuRun } from '../pipeline/cpu-run.ts';
import type { Unfinished } from '../pipeline/phase-result.ts';
import type { PipelineBenchResult } from '../pipeline/pipeline-bench.ts';
import type { RatePhase } from '../pipeline/rate-phase.ts';
import type { SoakResult } from '../pipeline/soak-bench.ts';
import type { ProfileSummary } from '../support/cpu-profile.ts';
import { STALL_MS } from '../support/disk-probe.ts';
import { round } from '../support/stats.ts';
import { gatewayChecks, lostCell, pipelineChecks, verdict, type Check } from './targets.ts';

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const fmt = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : String(n));
const mark = (c: Check) => (c.pass === undefined ? `not checked (${c.note ?? ''})` : c.pass ? 'PASS' : `**FAIL**${c.note ? ` (${c.note})` : ''}`);

export function gatewayTable(g: GatewayBenchResult): string {
  const checks = gatewayChecks(g);
  const express = g.calls.find((c) => c.class === 'baseline');
  const lines = [
    `Gateway alone (no workers; the outbox relay counted as gateway CPU), ${g.connections} connections, ${g.rounds} alternating rounds of ${g.roundS} s per row after a ${g.warmupS} s warm-up. CPU: the answering process's utime + stime over its rounds (for a submit, until the relay had published every accepted task), divided by the calls answered; p50 is the median of the rounds', p99 the worst round's. Disk: the slowest 8 kB fdatasync while the row's load ran (a probe thread syncing a file in a temporary folder, 20 ms apart; ${g.diskProbe}); PostgreSQL's commits wait for the same call, so a stall holds every submit in flight.`,
    '',
    row(['call', 'req/s', 'p50 ms', 'p99 ms', 'disk sync max ms', 'CPU ms/call', '× express CPU', 'targets', 'verdict']),
    row(Array(9).fill('---')),
  ];
  for (const c of g.calls) {
    const cs = checks.get(c.kind) ?? [];
    if (c.error) {
      lines.push(row([c.label, '—', '—', '—', '—', '—', '—', `not measured: ${c.error}`, '**FAIL**']));
      continue;
    }
    const xCpu = express && express.cpuMsPerCall > 0 ? `${round(c.cpuMsPerCall / express.cpuMsPerCall, 1)}×` : '—';
    const rps = c.class === 'submit' && express ? `${c.rps} (${round(c.rps / express.rps, 3)}× express)` : String(c.rps);
    lines.push(
      row([
        c.label,
        rps,
        c.p50,
        c.p99,
        fmt(Math.round(c.disk.maxMs)),
        fmt(c.cpuMsPerCall),
        c.class === 'baseline' ? '1×' : xCpu,
        cs.map((x) => `${x.what} ${x.target}`).join('; ') || 'baseline',
        verdict(cs),
      ]),
    );
  }
  const costed = g.calls.filter((c) => Object.keys(c.othersCpuMsPerCall).length > 0);
  if (costed.length > 0) {
    lines.push(
      '',
      row(['call', 'gateway CPU ms/call', ...OTHERS.map((f) => `${f} ms/call`), 'all servers ms/call', 'most calls/s two cores allow']),
      row(Array(OTHERS.length + 4).fill('---')),
    );
    for (const c of costed) {
      const total = c.cpuMsPerCall + OTHERS.reduce((a, f) => a + (c.othersCpuMsPerCall[f] ?? 0), 0);
      lines.push(
        row([
          c.label,
          fmt(c.cpuMsPerCall),
          ...OTHERS.map((f) => fmt(c.othersCpuMsPerCall[f])),
          fmt(round(total, 3)),
          total > 0 ? Math.floor(2000 / total) : '—',
        ]),
      );
    }
    lines.push(
      '',
      "The same rounds, every server process counted (PostgreSQL: the run's backends and the cluster's shared processes; RabbitMQ: beam.smp and its children). The last column is 2 cores divided by that sum: an upper bound on the row's req/s with a load generator that cost nothing.",
    );
  }
  return lines.join('\n');
}

const OTHERS = ['PostgreSQL', 'RabbitMQ', 'Redis'];

const FAMILIES = ['gateway', 'research', 'llm', 'publisher', 'PostgreSQL', 'RabbitMQ', 'Redis'];

function runRow(r: CpuRun, label: string): string {
  return row([
    label,
    r.phase.completedRps,
    lostCell(r.phase.lost, r.timestampLag.otherwise),
    ...FAMILIES.map((f) => fmt(r.perRequest[f])),
    `**${r.totalPerRequest}**`,
  ]);
}

export function pipelineTables(p: PipelineBenchResult): string {
  const { burst, latency, lag } = p;
  const lines = [
    `All four services, ${p.users} users, corpus topics, tracing at its default sampling. CPU per request: each process's utime + stime over the burst and its drain, divided by the requests published (PostgreSQL: this run's backends plus the cluster's shared processes; RabbitMQ: beam.smp and its children; Redis: redis-server). Published means the article file is in the publish folder (inotify).`,
    '',
    row(['run', 'req/s completed', 'lost', ...FAMILIES.map((f) => `${f} ms/req`), 'total ms/req']),
    row(Array(FAMILIES.length + 4).fill('---')),
    runRow(burst, `standard mix, ${burst.window} in flight, ${burst.phase.durationS} s`),
  ];
  if (p.unique) lines.push(runRow(p.unique, `unique topics (every cache misses), ${p.unique.phase.durationS} s`));
  if (p.otlp)
    lines.push(runRow(p.otlp, `every span exported to a local OTLP receiver, ${p.otlp.phase.durationS} s: ${p.otlp.extra?.['spansPerRequest']} spans/request`));
  lines.push('', row(['measure', 'result', 'target', 'verdict']), row(['---', '---', '---', '---']));
  for (const c of pipelineChecks(p)) lines.push(row([c.what, c.value, c.target, mark(c)]));
  lines.push(
    row([
      `submit-to-published at ${lag.rate} req/s: p50 / p95 / p99`,
      `${lag.phase.latency.p50} / ${lag.phase.latency.p95} / ${lag.phase.latency.p99} ms`,
      '',
      '',
    ]),
  );
  const sl = lag.statusLag;
  if (sl)
    lines.push(
      row([
        'status lag: requests followed, resolution (upper − lower bound) p99, the answering GET p50 / p99',
        `${sl.sampled} (1 in ${sl.sampleEvery}), ${sl.resolution.p99} ms, ${sl.get.p50} / ${sl.get.p99} ms, ${sl.pollsPerRequest} GETs each`,
        '',
        '',
      ]),
    );
  const tl = (r: { timestampLag: { lag: { p50: number; p95: number; p99: number } } }) =>
    `${r.timestampLag.lag.p50} / ${r.timestampLag.lag.p95} / ${r.timestampLag.lag.p99}`;
  lines.push(
    row([
      `status lag from the API's updated_at, every request, p50 / p95 / p99 ms: at ${latency.rate} req/s; at ${lag.rate} req/s; burst`,
      `${tl(latency)}; ${tl(lag)}; ${tl(burst)}`,
      '',
      '',
    ]),
  );
  const disk = (r: RatePhase) =>
    r.disk.error ? `not timed (${r.disk.error})` : `${fmt(Math.round(r.disk.maxMs))} ms (${r.disk.stalls} of ${r.disk.syncs} over ${STALL_MS} ms)`;
  lines.push(
    row([
      `disk under the open-loop phases, slowest 8 kB fdatasync (a probe every 20 ms): at ${latency.rate} req/s; at ${lag.rate} req/s`,
      `${disk(latency)}; ${disk(lag)}`,
      '',
      '',
    ]),
  );
  for (const [name, r] of [
    ['latency', latency],
    ['status lag', lag],
    ['burst', burst],
  ] as const)
    if (!r.phase.apiCaughtUp || r.phase.apiCatchUpS > 1)
      lines.push(
        row([`API behind the articles at the end of the ${name} phase`, `${r.phase.apiCatchUpS} s${r.phase.apiCaughtUp ? '' : ' (never caught up)'}`, '', '']),
      );
  const m = latency.messages;
  if (m) {
    const routes = Object.entries(m.byRoutePerRequest)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k.replace(/^pressroom\./, '')} ${v}`)
      .join(', ');
    lines.push(
      row([
        `broker messages per request (${m.requests} requests at ${latency.rate} req/s)`,
        `${m.perRequest} routed (${routes}); of which ${m.deadLetteredPerRequest} dead-lettered by the broker; + ${m.delayPublishesPerRequest} delay-queue publishes; ${m.enqueuesPerRequest} queue writes`,
        '',
        '',
      ]),
    );
  }
  const a = p.apiCheck;
  const without = Object.entries(a.withoutArticle)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const wrong = Object.entries(a.articleNotPublished)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  lines.push(
    row([
      'API check after every phase: requests with an article that the API shows as published',
      `${a.shownPublished} of ${a.articles}${wrong ? ` (otherwise: ${wrong})` : ''}; ${a.accepted - a.articles} accepted without an article${without ? ` (${without})` : ''}`,
      'all, none missing',
      a.shownPublished === a.articles && !a.withoutArticle['not listed'] ? 'PASS' : '**FAIL**',
    ]),
  );
  const phases = [
    ['latency', latency],
    ['status lag', lag],
    ['burst', burst],
    ['unique topics', p.unique],
    ['spans exported', p.otlp],
  ] as const;
  const rejected = phases.flatMap(([name, r]) =>
    r && Object.keys(r.phase.rejected).length
      ? [
          `${name}: ${Object.entries(r.phase.rejected)
            .map(([s, n]) => `${n}× ${s === '0' ? 'no answer' : s}`)
            .join(', ')}`,
        ]
      : [],
  );
  if (rejected.length) lines.push(row(['refused submissions (a 503 is the load shedder)', rejected.join('; '), 'none', '**FAIL**']));
  lines.push('', notes(p));
  return lines.join('\n');
}

function notes(p: PipelineBenchResult): string {
  const out: string[] = [];
  const floor = Object.entries(p.burst.idleFloorMsPerS)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const floorPerRequest = round(
    (Object.values(p.burst.idleFloorMsPerS).reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0) * p.burst.cpu.wallMs) / 1000 / (p.burst.phase.published || 1),
    2,
  );
  out.push(
    `- Idle floor just before the burst, CPU ms per second with nothing submitted (one tick is 2.5 ms/s here): ${floor}. Over the burst's ${round(p.burst.cpu.wallMs / 1000, 1)} s window that is ${floorPerRequest} ms per request of work that is not this run's if it kept up (other users of the shared PostgreSQL, RabbitMQ and Redis, their housekeeping); it is included in the table, not subtracted (without it: about ${round(p.burst.totalPerRequest - floorPerRequest, 2)} ms).`,
  );
  const other = p.latency.messages?.otherPublishesPerS;
  if (other !== undefined)
    out.push(`- Other publishers on the shared broker during the latency phase: ${other} messages/s (node-wide counter minus this run's).`);
  const pg = p.burst.cpu.groups;
  if (pg['postgres-backends'] && pg['postgres-shared'])
    out.push(
      `- PostgreSQL over the burst: this run's backends ${pg['postgres-backends'].cpuMs} ms (${pg['postgres-backends'].processes} processes, ${pg['postgres-backends'].exited} exited), shared processes ${pg['postgres-shared'].cpuMs} ms.`,
    );
  for (const [family, why] of Object.entries(p.unmeasured)) out.push(`- ${family} not measured: ${why}.`);
  const stages = p.latency.stages;
  if (stages)
    out.push(
      `- Where the time goes at ${p.latency.rate} req/s (p50 / p95 ms): ${Object.entries(stages)
        .map(([k, v]) => `${k} ${v.p50} / ${v.p95}`)
        .join('; ')}.`,
    );
  const unfinished = [p.burst, p.latency, p.lag, p.unique, p.otlp].flatMap((r) => r?.phase.unfinished ?? []);
  const stage = (s: Unfinished['stages'][number]) =>
    `${s.stage} ${s.status}${(s.error as { code?: string } | null)?.code ? ` (${(s.error as { code: string }).code})` : ''}`;
  if (unfinished.length)
    out.push(
      `- Unfinished requests (first 20 per phase): ${unfinished.map((u) => `${u.id} (${u.status}${u.stages.length ? `: ${u.stages.map(stage).join(', ')}` : ''})`).join('; ')}.`,
    );
  const rescued = [p.burst, p.latency, p.lag].reduce((a, r) => a + r.phase.rescued, 0);
  if (rescued) out.push(`- ${rescued} publications were found by the folder rescan, not inotify: their times are up to 2 s late.`);
  return out.join('\n');
}

export function profileSection(title: string, prof: ProfileSummary): string {
  const lines = [`### ${title} (self time, ${prof.totalMs} ms sampled)`, '', row(['self %', 'function', 'where']), row(['---', '---', '---'])];
  for (const f of prof.top) lines.push(row([f.selfPct, f.functionName, f.where]));
  lines.push('', row(['self %', 'package']), row(['---', '---']));
  for (const p of prof.byPackage) lines.push(row([p.selfPct, p.name]));
  return lines.join('\n');
}

export function llmTable(l: LlmCacheBenchResult): string {
  return [
    row(['llm write handler', 'p50 ms', 'p99 ms']),
    row(['---', '---', '---']),
    row([`uncached (provider ${l.providerLatencyMs} ms)`, l.uncached.p50, l.uncached.p99]),
    row(['cached', l.cached.p50, l.cached.p99]),
  ].join('\n');
}

export function soakTable(s: SoakResult): string {
  const lines = [row(['service', 'RSS first third / peak / last third (MB)', 'growth']), row(['---', '---', '---'])];
  for (const x of s.services) lines.push(row([x.name, `${x.startMb} / ${x.peakMb} / ${x.endMb}`, `${x.growthPct} %`]));
  lines.push(
    '',
    `${s.minutes} min at ${s.rate} req/s: ${s.phase.accepted} accepted, ${s.phase.published} published, lost ${s.phase.lost}; p50 / p95 / p99 ${s.phase.latency.p50} / ${s.phase.latency.p95} / ${s.phase.latency.p99} ms.`,
  );
  return lines.join('\n');
}
