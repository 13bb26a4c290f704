// Installs Pressroom the way the image's prod-deps stage does and boots every service from that install far
// enough to prove that each runtime import resolves (CI's "production install boots" phase). Needs no Docker
// engine and no running service.
//
//   node scripts/check-prod-install.ts          check every services/*/src/main.ts
//   node scripts/check-prod-install.ts --keep   keep the temporary install and print where it is
//
// Steps, as in the Dockerfile:
//   1. copy the manifests (lockfile, workspace file, .npmrc, patches, every package.json) into a temporary folder;
//   2. `pnpm install --frozen-lockfile --prod` there: dependencies only, no devDependencies anywhere;
//   3. copy libs/ and services/ over it (without node_modules, as .dockerignore says);
//   4. run `node services/<name>/src/main.ts --check-config` for each service with NODE_ENV=production and an
//      otherwise empty environment: it parses the config, starts tracing, imports every module the service runs
//      and exits 0 before connecting to anything.
// A package that imports something it lists only under devDependencies (or not at all) fails step 4 with
// ERR_MODULE_NOT_FOUND; the report names the package.json to fix.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { explainBootFailure, manifestFiles } from './checks/prod-install.ts';
import { createReport } from './checks/report.ts';

const root = join(import.meta.dirname, '..');
const BOOT_TIMEOUT_MS = Number(process.env['CHECK_PROD_INSTALL_BOOT_TIMEOUT'] ?? 60) * 1000;
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(process.env['TMPDIR'] ?? tmpdir(), 'pressroom-prod-install.'));
const report = createReport('production install');

function main(): void {
  report.section(`pnpm install --frozen-lockfile --prod in ${work}`);
  for (const f of manifestFiles(root)) {
    mkdirSync(dirname(join(work, f)), { recursive: true });
    cpSync(join(root, f), join(work, f), { recursive: true });
  }
  const install = spawnSync('pnpm', ['install', '--frozen-lockfile', '--prod', '--prefer-offline'], {
    cwd: work,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
  });
  if (install.error || install.status !== 0) {
    report.fail("the production install itself failed; the image's prod-deps stage would fail the same way", [
      install.error?.message ?? `${install.stdout}${install.stderr}`,
    ]);
    return;
  }
  report.ok('dependencies installed without devDependencies');

  // As .dockerignore leaves them out of the image: node_modules, logs, build info and every package's tests.
  const skip = (src: string) => !/(^|\/)(node_modules|test)(\/|$)|\.log$|\.tsbuildinfo$/.test(src.slice(root.length));
  for (const dir of ['libs', 'services']) cpSync(join(root, dir), join(work, dir), { recursive: true, filter: skip });

  report.section('each service boots with --check-config from that install');
  // What the image's environment gives a service: production, the secrets a deployment mounts, nothing else (no
  // .env is read in production). Random secrets, so no placeholder check trips.
  const secret = () => randomBytes(48).toString('base64');
  const env = { PATH: process.env['PATH'] ?? '', HOME: work, NODE_ENV: 'production', JWT_SECRET: secret(), WEBHOOK_SIGNING_SECRET: secret() };
  const services = readdirSync(join(work, 'services')).filter((s) => existsSync(join(work, 'services', s, 'src', 'main.ts')));
  if (services.length === 0) report.fail('no services/*/src/main.ts in the copied sources');
  for (const service of services) {
    const boot = spawnSync(process.execPath, [`services/${service}/src/main.ts`, '--check-config'], {
      cwd: work,
      env,
      encoding: 'utf8',
      timeout: BOOT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    const output = `${boot.stdout}${boot.stderr}`;
    if (boot.status === 0) report.ok(output.trim().split('\n').at(-1) ?? service);
    else if (boot.error || boot.signal)
      report.fail(`${service}: --check-config did not exit within ${BOOT_TIMEOUT_MS / 1000}s (does main.ts call exitIfConfigCheck before connecting?)`);
    else report.fail(`${service} does not boot from a production install`, explainBootFailure(service, output, work));
  }
}

try {
  main();
} finally {
  if (keep) process.stdout.write(`kept the production install in ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(report.finish());
