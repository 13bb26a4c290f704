import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTool, PROMTOOL } from '../../../scripts/checks/debian-tool.ts';
import { checkPrometheus } from '../../../scripts/checks/prometheus.ts';
import { tree } from './temp-tree.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const promtool = () => findTool(PROMTOOL, { fetch: true })!;

/** A copy of deploy/prometheus to break. */
function copy(): string {
  const root = tree({});
  cpSync(join(REPO, 'deploy', 'prometheus'), join(root, 'prom'), { recursive: true });
  return root;
}
const failing = (root: string) =>
  checkPrometheus(promtool(), root, 'prom')
    .filter((r) => r.problems.length > 0)
    .map((r) => r.what);

describe('promtool on the Prometheus config and rules', () => {
  it('when the committed config, rules and rule tests are checked, then every promtool run passes', () => {
    const runs = checkPrometheus(promtool(), REPO, 'deploy/prometheus');
    assert.deepEqual(
      runs.map((r) => r.what),
      [
        'promtool check config deploy/prometheus/prometheus.yml',
        'promtool check rules deploy/prometheus/rules/pressroom.rules.yml',
        'promtool test rules deploy/prometheus/tests/pressroom.test.yml',
      ],
    );
    assert.deepEqual(
      runs.flatMap((r) => r.problems),
      [],
    );
  });

  it('when an alert expression does not parse, then check config and check rules fail', () => {
    const root = copy();
    const rules = join(root, 'prom', 'rules', 'pressroom.rules.yml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace(/expr: (.+)/, 'expr: sum(($1'));
    assert.deepEqual(failing(root), [
      'promtool check config prom/prometheus.yml',
      'promtool check rules prom/rules/pressroom.rules.yml',
      'promtool test rules prom/tests/pressroom.test.yml',
    ]);
  });

  it('when a rule test expects labels the alert does not carry, then test rules fails alone', () => {
    const root = copy();
    const test = join(root, 'prom', 'tests', 'pressroom.test.yml');
    writeFileSync(test, readFileSync(test, 'utf8').replace('severity: critical', 'severity: info'));
    assert.deepEqual(failing(root), ['promtool test rules prom/tests/pressroom.test.yml']);
  });
});
