// The alerting that Kubernetes loads: the PrometheusRule is the one generated from deploy/prometheus/rules/
// (what compose loads), every job its expressions name is scraped by a ServiceMonitor, and every alert has a
// runbook section in docs/operations.md.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { get, listOf, type Manifest } from '../manifest.ts';
import { renderPrometheusRule, TARGET as RULE_FILE } from '../prometheus-rule.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const readOrEmpty = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

export function alertRules(objects: Manifest[], files = { ruleFile: RULE_FILE, runbook: join(root, 'docs', 'operations.md') }): string[] {
  const problems: string[] = [];
  if (readOrEmpty(files.ruleFile) !== renderPrometheusRule())
    problems.push(`${relative(root, files.ruleFile)} is out of date with deploy/prometheus/rules/: run node deploy/k8s/tools/prometheus-rule.ts`);
  const rule = objects.find((m) => m.kind === 'PrometheusRule');
  const groups = listOf(rule, 'spec', 'groups');
  for (const match of JSON.stringify(groups).matchAll(/job=~\\"([^\\]+)\\"/g))
    for (const job of match[1]!.split('|'))
      if (!objects.some((m) => m.kind === 'ServiceMonitor' && m.metadata.name === job))
        problems.push(`the alert rules expect job="${job}", which no ServiceMonitor/Service provides`);
  const runbook = readOrEmpty(files.runbook);
  if (!runbook) problems.push(`${relative(root, files.runbook)} (the runbook) is missing`);
  const headings = runbook.split('\n').filter((l) => /^#{2,4} /.test(l));
  for (const r of groups.flatMap((g) => listOf(g, 'rules'))) {
    const alert = get(r, 'alert');
    if (runbook && typeof alert === 'string' && !headings.some((h) => new RegExp(`\\b${alert}\\b`).test(h)))
      problems.push(`alert ${alert} has no section in ${relative(root, files.runbook)} (a heading naming it)`);
  }
  return problems;
}
