import { parseArgs } from 'node:util';

export const SUITES = ['gateway', 'pipeline', 'llm'] as const;
export type Suite = (typeof SUITES)[number];

export interface BenchOptions {
  only: Suite[];
  soak: boolean;
  cpuProf: boolean;
  /** Seconds of each pipeline phase (fixed rate, then saturation). */
  durationS: number;
  /** Requests per second of the pipeline's latency phase. */
  rate: number;
  /** Requests in flight through the pipeline during the saturation phase. */
  window: number;
  connections: number;
  gatewayUsers: number;
  rounds: number;
  roundS: number;
  llmIterations: number;
  soakMinutes: number;
  /** Requests per second of the soak: below the pipeline's capacity, so it measures the services, not a backlog. */
  soakRate: number;
  /** Extra settings for every service the bench starts (`--set AMQP_PREFETCH=32`), to measure a change. */
  settings: Record<string, string>;
}

const HELP = `pnpm bench [options]
  --only=gateway,pipeline,llm   run only these suites (default: all three)
  --duration=60                 seconds of each pipeline phase (fixed rate, saturation)
  --rate=100                    requests/s of the pipeline latency phase
  --window=200                  requests in flight during the pipeline saturation phase
  --connections=50 --rounds=3 --round-seconds=10   gateway vs bare express (alternating rounds)
  --gateway-users=50            also run the gateway with the connections spread over this many accounts
                                (its quota lock is per user); 1 skips that variant
  --llm-iterations=30           distinct prompts for the LLM cache bench (uncached calls take 200 ms each)
  --cpu-prof                    profile the gateway under its bench (node --cpu-prof); prints the top functions
  --soak [--soak-minutes=10] [--soak-rate=30]
                                only the pipeline soak, sampling each service's RSS every 10 s; the rate
                                stays below the pipeline's capacity so that nothing piles up
  --set KEY=VALUE               a setting for every service started (repeatable), e.g. --set AMQP_PREFETCH=32
`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

export function parseBenchOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      soak: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      duration: { type: 'string' },
      rate: { type: 'string' },
      window: { type: 'string' },
      connections: { type: 'string' },
      'gateway-users': { type: 'string' },
      rounds: { type: 'string' },
      'round-seconds': { type: 'string' },
      'llm-iterations': { type: 'string' },
      'soak-minutes': { type: 'string' },
      'soak-rate': { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SUITES];
  const settings: Record<string, string> = {};
  for (const kv of values.set) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(kv);
    if (!m) throw new Error(`--set expects KEY=VALUE, got "${kv}"`);
    settings[m[1]!] = m[2]!;
  }
  for (const s of only) if (!(SUITES as readonly string[]).includes(s)) throw new Error(`--only: unknown suite "${s}" (use ${SUITES.join(', ')})`);
  return {
    only: only as Suite[],
    soak: values.soak,
    cpuProf: values['cpu-prof'],
    durationS: positive('duration', values.duration, 60),
    rate: positive('rate', values.rate, 100),
    window: Math.round(positive('window', values.window, 200)),
    connections: Math.round(positive('connections', values.connections, 50)),
    gatewayUsers: Math.round(positive('gateway-users', values['gateway-users'], 50)),
    rounds: Math.round(positive('rounds', values.rounds, 3)),
    roundS: positive('round-seconds', values['round-seconds'], 10),
    llmIterations: Math.round(positive('llm-iterations', values['llm-iterations'], 30)),
    soakMinutes: positive('soak-minutes', values['soak-minutes'], 10),
    soakRate: positive('soak-rate', values['soak-rate'], 30),
    settings,
  };
}
