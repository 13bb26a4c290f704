// Prometheus's own checks of the config and alert rules that compose loads: `promtool check config` (which
// also loads the rule files it names), `promtool check rules`, and the rule unit tests (`promtool test rules`
// on deploy/prometheus/tests/*.test.yml, kept out of rules/ so Prometheus never loads them as rules).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface PromtoolRun {
  what: string;
  problems: string[];
}

/** The YAML files of `cwd`/`dir` that are (or are not) rule tests, as paths relative to `cwd`. */
const yamlIn = (cwd: string, dir: string, tests: boolean) =>
  readdirSync(join(cwd, dir))
    .filter((f) => /\.ya?ml$/.test(f) && /\.test\.ya?ml$/.test(f) === tests)
    .sort()
    .map((f) => join(dir, f));

function promtool(binary: string, args: string[], cwd: string): string[] {
  const r = spawnSync(binary, args, { cwd, encoding: 'utf8' });
  if (r.error) return [`${binary}: ${r.error.message}`];
  return r.status === 0 ? [] : [`${r.stdout}${r.stderr}`.trim()];
}

/** Each promtool run over `dir` (a folder holding prometheus.yml, rules/ and tests/), paths relative to `cwd`. */
export function checkPrometheus(binary: string, cwd: string, dir: string): PromtoolRun[] {
  const config = join(dir, 'prometheus.yml');
  const rules = yamlIn(cwd, join(dir, 'rules'), false);
  const tests = yamlIn(cwd, join(dir, 'tests'), true);
  return [
    { what: `promtool check config ${config}`, problems: promtool(binary, ['check', 'config', config], cwd) },
    {
      what: `promtool check rules ${rules.join(' ')}`,
      problems: rules.length ? promtool(binary, ['check', 'rules', ...rules], cwd) : [`no rule files in ${dir}/rules`],
    },
    ...tests.map((t) => ({ what: `promtool test rules ${t}`, problems: promtool(binary, ['test', 'rules', t], cwd) })),
  ];
}
