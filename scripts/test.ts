// `pnpm test`: checks that PostgreSQL, Redis and RabbitMQ answer (a missing one fails the run, never skips),
// then runs every test file with node's own runner in three phases: unit and component tests two files at a
// time, then the end-to-end tests (each starts several service processes) two files at a time and the fault
// tests one at a time, so that on a 2-core machine they do not starve each other. `pnpm test services/llm` runs one folder.
import { spawn } from 'node:child_process';
import { assertInfrastructure } from '@pressroom/test-support';

const PHASES = [
  // test/tooling: the repository's tooling and deploy files (scripts/checks, deploy/k8s/tools, alert routing).
  { name: 'unit and component', patterns: ['libs/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/tooling/**/*.test.ts'], concurrency: 2 },
  // Each end-to-end file spawns its own four services, which mostly wait on I/O: two files at a time keep both
  // cores busy. The fault tests (outages, kill -9, shutdown under load, and the repeated start, whose vhost
  // churn stalls the broker for everyone else) run alone.
  { name: 'end to end', patterns: ['test/e2e/**/*.test.ts', 'test/cli/**/*.test.ts'], concurrency: 2 },
  { name: 'faults', patterns: ['test/faults/**/*.test.ts'], concurrency: 1 },
];

try {
  await assertInfrastructure();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}

function run(patterns: string[], concurrency: number): Promise<number> {
  const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...patterns], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test' },
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const args = process.argv.slice(2);
if (args.length > 0) {
  process.exit(
    await run(
      args.map((a) => (a.endsWith('.ts') ? a : `${a.replace(/\/$/, '')}/**/*.test.ts`)),
      2,
    ),
  );
}
let failed = 0;
for (const phase of PHASES) {
  process.stdout.write(`\n# pnpm test: ${phase.name}\n`);
  if ((await run(phase.patterns, phase.concurrency)) !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
