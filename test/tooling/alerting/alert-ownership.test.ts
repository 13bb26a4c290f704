// One sender per alert per deployment (docs/operations.md#who-sends-which-alert): the owner table against the
// Prometheus rules, the services' alert kinds and what each deployment sets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ALERT_KINDS } from '@pressroom/alerts';
import { ConfigSchema } from '@pressroom/config';
import { testConfig } from '@pressroom/test-support';
import { SINGLE_MACHINE_LATENCY_ALERTS, withLatencyAlerts } from '../../../scripts/single-machine-alerts.ts';
import { ROOT } from './alertmanager-harness.ts';

const DEPLOYMENTS = ['single machine', 'compose', 'Kubernetes'] as const;
type Owner = 'Prometheus' | 'in-process' | 'off' | 'none';
const rules = (
  parse(readFileSync(join(ROOT, 'deploy/prometheus/rules/pressroom.rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }
).groups.flatMap((g) => g.rules);
const LATENCY_SETTINGS = Object.keys(ConfigSchema.properties)
  .filter((k) => /^ALERT_[A-Z]+_LATENCY_MS$/.test(k))
  .sort();
// The metrics behind the services' event alerts: a rule on them would send the same event a second time.
const EVENT_METRICS = {
  dead_letter: 'pressroom_dead_letters_total',
  breaker_open: 'pressroom_breaker_state',
  quota_exceeded: 'pressroom_quota_exceeded_total',
};

function ownerTable(): Map<string, Record<(typeof DEPLOYMENTS)[number], Owner>> {
  const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  const start = doc.indexOf('| alert | single machine (`pnpm start`) | compose | Kubernetes |');
  assert.ok(start >= 0, 'docs/operations.md has the owner table');
  const rows = new Map<string, Record<(typeof DEPLOYMENTS)[number], Owner>>();
  for (const line of doc.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [alert, ...cells] = line
      .split('|')
      .slice(1, 5)
      .map((c) => c.trim().replace(/`/g, ''));
    for (const c of cells) assert.match(c!, /^(Prometheus|in-process|off|none)$/, `${alert}: one sender per cell, got "${c}"`);
    rows.set(alert!, Object.fromEntries(DEPLOYMENTS.map((d, i) => [d, cells[i] as Owner])) as Record<(typeof DEPLOYMENTS)[number], Owner>);
  }
  return rows;
}

describe('who sends which alert', () => {
  const table = ownerTable();

  it('when the owner table is read, then it names every Prometheus rule and every in-process alert kind, nothing else', () => {
    assert.deepEqual([...table.keys()].sort(), [...rules.map((r) => r.alert), ...ALERT_KINDS].sort());
  });

  it('when Prometheus runs, then its rules send, and on a single machine nothing evaluates them', () => {
    for (const r of rules) assert.deepEqual(table.get(r.alert), { 'single machine': 'none', compose: 'Prometheus', Kubernetes: 'Prometheus' }, r.alert);
  });

  it('when an in-process alert kind is listed, then it is sent in-process or off, never by Prometheus; latency is off where Prometheus runs', () => {
    for (const kind of ALERT_KINDS) {
      const row = table.get(kind)!;
      for (const d of DEPLOYMENTS) assert.notEqual(row[d], 'Prometheus', `${kind} in ${d}`);
      assert.equal(row['single machine'], 'in-process', `${kind} on a single machine`);
    }
    assert.deepEqual(table.get('high_latency'), { 'single machine': 'in-process', compose: 'off', Kubernetes: 'off' });
    for (const kind of ALERT_KINDS.filter((k) => k !== 'high_latency')) assert.equal(table.get(kind)!.compose, 'in-process', `${kind} stays in-process`);
  });

  it('when a rule is read, then it watches no metric behind an in-process event alert', () => {
    for (const r of rules)
      for (const [kind, metric] of Object.entries(EVENT_METRICS))
        assert.ok(!r.expr.includes(metric), `${r.alert} watches ${metric}, which the in-process ${kind} alert already reports`);
  });

  it('when compose or a Kubernetes overlay is rendered, then no ALERT_*_LATENCY_MS is set, so the in-process latency alerts are off', () => {
    assert.deepEqual(LATENCY_SETTINGS, ['ALERT_HTTP_LATENCY_MS', 'ALERT_REQUEST_LATENCY_MS', 'ALERT_STAGE_LATENCY_MS']);
    const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    for (const overlay of ['staging', 'production']) {
      const r = spawnSync('kubectl', ['kustomize', join(ROOT, 'deploy/k8s/overlays', overlay)], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, `kubectl kustomize ${overlay} (kubectl is needed: apt-get install -y kubectl): ${r.error?.message ?? r.stderr}`);
      for (const s of LATENCY_SETTINGS) assert.ok(!r.stdout.includes(s), `${overlay} sets ${s}`);
    }
    for (const s of LATENCY_SETTINGS) assert.ok(!new RegExp(`^\\s*${s}\\s*[:=]`, 'm').test(compose), `docker-compose.yml sets ${s}`);
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const s of LATENCY_SETTINGS) assert.ok(!new RegExp(`^${s}=`, 'm').test(example), `.env.example sets ${s} (compose reads .env)`);
  });

  it('when the settings are unset, then the config has no thresholds; pnpm start gives the services all three unless one is set', () => {
    const config = testConfig('gateway', 'ownership', { ALERT_HTTP_LATENCY_MS: '' });
    for (const s of LATENCY_SETTINGS) assert.equal(config[s as keyof typeof config], undefined, s);
    assert.deepEqual(Object.keys(SINGLE_MACHINE_LATENCY_ALERTS).sort(), LATENCY_SETTINGS);
    const env = withLatencyAlerts({ ALERT_HTTP_LATENCY_MS: '5000' });
    assert.equal(env['ALERT_HTTP_LATENCY_MS'], '5000');
    const started = testConfig('gateway', 'ownership', env as Record<string, string>);
    assert.equal(started.ALERT_STAGE_LATENCY_MS, 120_000);
    assert.equal(started.ALERT_REQUEST_LATENCY_MS, 300_000);
    assert.equal(started.ALERT_HTTP_LATENCY_MS, 5000);
  });
});
