// deploy/k8s/base/prometheus-rule.yaml is generated from the alert rules that Prometheus loads in compose
// (deploy/prometheus/rules/*.yml), so Kubernetes and compose alert on exactly the same conditions.
//   node deploy/k8s/tools/prometheus-rule.ts           rewrite the PrometheusRule
//   node deploy/k8s/tools/prometheus-rule.ts --check   exit 1 when it is out of date (scripts/check-k8s.sh)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const root = join(import.meta.dirname, '..', '..', '..');
export const RULES_DIR = join(root, 'deploy', 'prometheus', 'rules');
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
    '# Edit the rule files, then run `node deploy/k8s/tools/prometheus-rule.ts` (scripts/check-k8s.sh',
    '# fails while this file is out of date). docs/operations.md has a runbook section per alert.',
  ].join('\n');
  return `${header}\n${stringify(rule, { lineWidth: 0 })}`;
}

if (import.meta.main) {
  const wanted = renderPrometheusRule();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(TARGET, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current !== wanted) {
      process.stderr.write(`${TARGET} is out of date with ${RULES_DIR}: run node deploy/k8s/tools/prometheus-rule.ts\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(TARGET, wanted);
    process.stdout.write(`wrote ${TARGET}\n`);
  }
}
