import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertRules } from '../../../deploy/k8s/tools/rules/alerts.ts';
import { TARGET } from '../../../deploy/k8s/tools/prometheus-rule.ts';
import { tree } from '../checks/temp-tree.ts';
import { overlay } from './manifests.ts';

const RUNBOOK = join(import.meta.dirname, '..', '..', '..', 'docs', 'operations.md');

describe('alerting in the cluster', () => {
  it('when the committed PrometheusRule and runbook are read, then they match the compose rules and name every alert', () => {
    assert.deepEqual(alertRules(overlay('staging')), []);
  });

  it('when the PrometheusRule file differs from what deploy/prometheus/rules/ generates, then it is out of date', () => {
    const stale = join(tree({ 'prometheus-rule.yaml': readFileSync(TARGET, 'utf8').replace('for: ', 'for:  ') }), 'prometheus-rule.yaml');
    assert.match(
      alertRules(overlay('staging'), { ruleFile: stale, runbook: RUNBOOK }).join('\n'),
      /is out of date with deploy\/prometheus\/rules\/: run node deploy\/k8s\/tools\/prometheus-rule.ts/,
    );
  });

  it('when the runbook has no heading for an alert, then that alert is named', () => {
    const runbook = join(tree({ 'operations.md': '# Operations\n\n## Nothing here\n' }), 'operations.md');
    const problems = alertRules(overlay('staging'), { ruleFile: TARGET, runbook });
    assert.ok(problems.length > 0 && problems.every((p) => /^alert \w+ has no section in .*operations\.md/.test(p)), problems.join('\n'));
  });

  it('when an alert expects a job that no ServiceMonitor scrapes, then it is named', () => {
    const objects = overlay('staging').filter((m) => !(m.kind === 'ServiceMonitor' && m.metadata.name === 'publisher'));
    assert.ok(alertRules(objects).includes('the alert rules expect job="publisher", which no ServiceMonitor/Service provides'));
  });
});
