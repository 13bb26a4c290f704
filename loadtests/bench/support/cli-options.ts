import { parseArgs } from 'node:util';

export const SUITES = ['gateway', 'pipeline', 'llm'] as const;
export type Suite = (typeof SUITES)[number];
const DEFAULT_SUITES: Suite[] = ['gateway', 'pipeline'];

export interface BenchOptions {
  only: Suite[];
  soak: boolean;
  cpuProf: boolean;
  /** Accounts of the standard mix (gateway rows marked "N users", and the pipeline's submitters). */
  users: number;
  connections: number;
  rounds: number;
  roundS: number;
  warmupS: number;
  /** The pipeline's saturation burst: requests kept in flight, and for how long. */
  window: number;
  burstS: number;
  /** Open-loop phases: submit-to-published latency at `rate`, status lag at `lagRate`, each `phaseS` long. */
  rate: number;
  lagRate: number;
  phaseS: number;
  /** The unique-topics and OTLP-export bursts (no targets); 0 skips them. */
  variantS: number;
  llmIterations: number;
  soakMinutes: number;
  soakRate: number;
  /** Extra settings for every service started (`--set AMQP_PREFETCH=64`), to measure a change. */
  settings: Record<string, string>;
}

const HELP = `pnpm bench [options]            both tables, about 8 minutes
  --only=gateway|pipeline|llm   run only these suites, comma-separated (default: gateway,pipeline; llm is opt-in)
  --users=50                    accounts of the standard mix
gateway table (no workers running):
  --connections=50 --rounds=2 --round-seconds=8 --warmup-seconds=3
                                autocannon connections; alternating rounds per call kind, each after a warm-up
pipeline table (all four services):
  --window=200 --burst-seconds=60
                                saturation burst: requests kept in flight, for how long (CPU per request, req/s)
  --rate=100 --lag-rate=150 --phase-seconds=30
                                open loop: submit-to-published latency at --rate, status lag at --lag-rate
  --variant-seconds=20          unique-topics and OTLP-export bursts (reported without targets); 0 skips them
other:
  --cpu-prof                    profile the gateway (gateway table) and every service (pipeline burst) with
                                node --cpu-prof; top functions in the report (the profiler costs CPU itself)
  --llm-iterations=30           distinct prompts of the opt-in LLM cache bench
  --soak [--soak-minutes=10] [--soak-rate=30]
                                only the pipeline soak, sampling each service's RSS every 10 s
  --set KEY=VALUE               a setting for every service started (repeatable)
`;

function positive(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

export function parseBenchOptions(argv: string[]): BenchOptions | undefined {
  const names = [
    'only',
    'users',
    'connections',
    'rounds',
    'round-seconds',
    'warmup-seconds',
    'window',
    'burst-seconds',
    'rate',
    'lag-rate',
    'phase-seconds',
    'variant-seconds',
    'llm-iterations',
    'soak-minutes',
    'soak-rate',
  ] as const;
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
      soak: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const v = values as Record<string, string | undefined> & { soak: boolean; 'cpu-prof': boolean; set: string[]; help: boolean };
  if (v.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  const only = v['only'] ? v['only'].split(',').map((s) => s.trim()) : [...DEFAULT_SUITES];
  for (const s of only) if (!(SUITES as readonly string[]).includes(s)) throw new Error(`--only: unknown suite "${s}" (use ${SUITES.join(', ')})`);
  const settings: Record<string, string> = {};
  for (const kv of v.set) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(kv);
    if (!m) throw new Error(`--set expects KEY=VALUE, got "${kv}"`);
    settings[m[1]!] = m[2]!;
  }
  const int = (name: (typeof names)[number], fallback: number, allowZero = false) => Math.round(positive(name, v[name], fallback, allowZero));
  return {
    only: only as Suite[],
    soak: v.soak,
    cpuProf: v['cpu-prof'],
    users: int('users', 50),
    connections: int('connections', 50),
    rounds: int('rounds', 2),
    roundS: positive('round-seconds', v['round-seconds'], 8),
    warmupS: positive('warmup-seconds', v['warmup-seconds'], 3),
    window: int('window', 200),
    burstS: positive('burst-seconds', v['burst-seconds'], 60),
    rate: positive('rate', v['rate'], 100),
    lagRate: positive('lag-rate', v['lag-rate'], 150),
    phaseS: positive('phase-seconds', v['phase-seconds'], 30),
    variantS: positive('variant-seconds', v['variant-seconds'], 20, true),
    llmIterations: int('llm-iterations', 30),
    soakMinutes: positive('soak-minutes', v['soak-minutes'], 10),
    soakRate: positive('soak-rate', v['soak-rate'], 30),
    settings,
  };
}
