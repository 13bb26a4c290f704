// `pnpm test`: checks that PostgreSQL, Redis and RabbitMQ answer (a missing one fails the run, never skips),
// then runs every test file with node's own runner. Extra arguments narrow the run: `pnpm test services/llm`.
import { spawn } from 'node:child_process';
import { assertInfrastructure } from '@pressroom/test-support';

const DEFAULT_PATTERNS = ['libs/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/**/*.test.ts'];

try {
  await assertInfrastructure();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const patterns = args.length > 0 ? args.map((a) => (a.endsWith('.ts') ? a : `${a.replace(/\/$/, '')}/**/*.test.ts`)) : DEFAULT_PATTERNS;
const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=180000', ...patterns], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
