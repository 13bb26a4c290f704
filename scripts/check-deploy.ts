// Static checks of the deployment files that need no Docker engine and no running service (CI's "deploy
// checks" phase); the Kubernetes manifests have their own: node deploy/k8s/tools/check.ts.
//
//   node scripts/check-deploy.ts                 fetch promtool and shellcheck from Debian when missing
//   node scripts/check-deploy.ts --no-fetch      use only what is installed (a missing tool fails the run)
//
// Shell scripts (bash -n, shellcheck), YAML without duplicate keys (compose, Prometheus), compose
// consistency and `docker compose config -q` when the compose plugin is installed, promtool on the
// Prometheus config, rules and rule tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { composeProblems, dockerComposeConfig } from './checks/compose.ts';
import { findTool, PROMTOOL, SHELLCHECK, type DebianTool } from './checks/debian-tool.ts';
import { checkPrometheus } from './checks/prometheus.ts';
import { createReport } from './checks/report.ts';
import { bashSyntax, executable, shellcheck, shellScripts } from './checks/shell-scripts.ts';
import { yamlProblems } from './checks/yaml-syntax.ts';

const root = join(import.meta.dirname, '..');
const COMPOSE = 'docker-compose.yml';
const PROMETHEUS = 'deploy/prometheus';
const fetch = !process.argv.includes('--no-fetch');
const report = createReport('deploy checks');

function tool(t: DebianTool): string | undefined {
  try {
    const path = findTool(t, { fetch });
    if (!path) report.fail(`${t.command} is not installed (apt-get install ${t.pkg}, or run without --no-fetch)`);
    return path;
  } catch (err) {
    report.fail(`${t.command} could not be fetched from Debian's ${t.pkg} package`, [(err as Error).message]);
    return undefined;
  }
}

report.section('shell scripts');
const scripts = shellScripts(root);
for (const f of scripts) report.expect(bashSyntax(root, f), `bash -n ${f}`);
report.expect(executable(root, '.ci/run'), '.ci/run is executable');
const shellcheckPath = tool(SHELLCHECK);
if (shellcheckPath) report.expect(shellcheck(shellcheckPath, root, scripts), `shellcheck on ${scripts.length} scripts`);

report.section('YAML syntax and compose');
const prometheusYaml = (readdirSync(join(root, PROMETHEUS), { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => /\.ya?ml$/.test(f)).sort();
for (const f of [COMPOSE, ...prometheusYaml.map((f) => `${PROMETHEUS}/${f}`)]) report.expect(yamlProblems(join(root, f)), `YAML ${f}`);
report.expect(composeProblems(join(root, COMPOSE)), 'compose: app services build their own SERVICE, dependencies exist, no version:');
const composeConfig = dockerComposeConfig(join(root, COMPOSE));
if (composeConfig) report.expect(composeConfig, 'docker compose config -q');
else report.skip('docker compose config (the compose plugin is not installed)');

report.section('Prometheus config and rules');
const promtool = tool(PROMTOOL);
if (promtool) for (const { what, problems } of checkPrometheus(promtool, root, PROMETHEUS)) report.expect(problems, what);

process.exit(report.finish());
