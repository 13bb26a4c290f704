// deploy/k8s/base/prometheus-rule.yaml is generated from the alert rules that Prometheus loads in compose
// (deploy/prometheus/rules/*.yml), so Kubernetes and compose alert on exactly the same conditions.
//   node deploy/k8s/tools/prometheus-rule.ts   rewrite the PrometheusRule
// deploy/k8s/tools/check.ts fails while it is out of date (rules/alerts.ts).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const root = join(import.meta.dirname, '..', '..', '..');
const RULES_DIR = join(root, 'deploy', 'prometheus', 'rules');
export const TARGET = join(root, 'deploy', 'k8s', 'base', 'prometheus-rule.yaml');

export function renderPrometheusRule(): string {
  const files = readdirSync(RULES_DIR)
    .filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f))
    .sort();
  const groups: unknown[] = [];
  for (const f of files) {
    const doc = parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { groups?: unknown[] } | null;
    groups.push(...(doc?.groups ?? []));
  }
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'pressroom',
      labels: { 'app.kubernetes.io/part-of': 'pressroom', release: 'kube-prometheus-stack' },
    },
    spec: { groups },
  };
  const header = [
    '# GENERATED from deploy/prometheus/rules/ by deploy/k8s/tools/prometheus-rule.ts: do not edit here.',
    '# Edit the rule files, then run `node deploy/k8s/tools/prometheus-rule.ts` (deploy/k8s/tools/check.ts',
    '# fails while this file is out of date). docs/operations.md has a runbook section per alert.',
  ].join('\n');
  return `${header}\n${stringify(rule, { lineWidth: 0 })}`;
}

if (import.meta.main) {
  writeFileSync(TARGET, renderPrometheusRule());
  process.stdout.write(`wrote ${TARGET}\n`);
}
