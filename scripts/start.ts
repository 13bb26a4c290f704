// `pnpm start`: runs the four services as separate processes against the local PostgreSQL, Redis and RabbitMQ.
// Outside production it first creates a git-ignored `.env` with generated secrets (when none exists) and the
// database named by DATABASE_URL; Ctrl-C or SIGTERM stops every service gracefully.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { loadEnvFile } from '@pressroom/config';
import { ensureDatabaseWhenReachable, ensureDevEnvFile } from './dev-setup.ts';
import { withLatencyAlerts } from './single-machine-alerts.ts';

const root = resolve(import.meta.dirname, '..');
const envFile = resolve(root, '.env');
const production = process.env['NODE_ENV'] === 'production';

if (!production) {
  const created = ensureDevEnvFile(envFile);
  if (created) process.stdout.write(`created ${envFile} with a random JWT_SECRET, WEBHOOK_SIGNING_SECRET and admin password (${created.adminEmail})\n`);
  loadEnvFile(envFile);
  // Normally made in milliseconds, before any service starts. A PostgreSQL that is not up yet is waited for beside
  // the services (the gateway waits for it too, STARTUP_WAIT_S, and is the one that says so).
  const database = ensureDatabaseWhenReachable(
    process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/pressroom',
    Number(process.env['STARTUP_WAIT_S'] ?? 60),
  );
  const failed = (err: unknown) => process.stderr.write(`pnpm start: cannot create the database named in DATABASE_URL: ${(err as Error).message}\n`);
  await Promise.race([database, new Promise((r) => setTimeout(r, 1000).unref())]).catch((err: unknown) => {
    failed(err);
    process.exit(1);
  });
  database.catch(failed);
}

const services = ['gateway', 'research', 'llm', 'publisher'];
// In production the services read .env themselves; its latency settings must win over the defaults here.
if (production) loadEnvFile(envFile);
const serviceEnv = withLatencyAlerts({ ...process.env, PRESSROOM_ENV_FILE: envFile });
const children = new Map<string, ChildProcess>();
let stopping = false;

for (const name of services) {
  const child = spawn(process.execPath, [resolve(root, 'services', name, 'src', 'main.ts')], {
    cwd: root,
    env: serviceEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
    // Their own process group: Ctrl-C reaches only this script, which sends each service one SIGTERM. In the
    // terminal's group a service would get SIGINT and then SIGTERM, and a second signal means "exit now".
    detached: true,
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      process.stderr.write(`${name} exited (${signal ?? code}); stopping the others\n`);
      void stop(code === 0 ? 1 : (code ?? 1));
    } else {
      process.stderr.write(`${name} stopped (${signal ?? code})\n`);
      if (children.size === 0) process.exit(process.exitCode ?? 0);
    }
  });
}
process.stdout.write(`pressroom starting: gateway on http://127.0.0.1:${process.env['GATEWAY_PORT'] ?? 8080} (Ctrl-C to stop)\n`);

async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  for (const child of children.values()) child.kill('SIGTERM');
  if (children.size === 0) process.exit(exitCode);
  // Each service drains within SHUTDOWN_TIMEOUT_MS; past a margin, whatever is left is killed.
  setTimeout(
    () => {
      for (const child of children.values()) child.kill('SIGKILL');
      process.exit(exitCode || 1);
    },
    Number(process.env['SHUTDOWN_TIMEOUT_MS'] ?? 10_000) + 5000,
  ).unref();
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));
// Detached services outlive this script unless told: whatever way it ends, they are signalled.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGTERM');
});
