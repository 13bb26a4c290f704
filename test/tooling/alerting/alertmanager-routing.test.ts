// The routing of deploy/alertmanager/alertmanager.yml, through a real Alertmanager: what reaches Slack, e-mail
// and the webhook, grouped by alert name and service, and an unavailable service holding back its latency alerts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { pollUntil, startHttpStub, type HttpStub } from '@pressroom/test-support';
import {
  ALERTMANAGER_CONFIG,
  ROOT,
  amtool,
  localConfig,
  removeDir,
  startAlertmanager,
  startSmtpStandIn,
  tempDir,
  type RunningAlertmanager,
  type SmtpStandIn,
} from './alertmanager-harness.ts';

type Notification = {
  receiver: string;
  status: string;
  groupLabels: Record<string, string>;
  alerts: Array<{ labels: Record<string, string>; status: string }>;
};
type Rule = { alert: string; labels: Record<string, string> };

const rules = (parse(readFileSync(join(ROOT, 'deploy/prometheus/rules/pressroom.rules.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (g) => g.rules,
);

/** The "alert | severity | receiver | inhibited by" table of docs/operations.md#alert-routing. */
function documentedRoutes(): Map<string, { severity: string; receiver: string; inhibitedBy: string }> {
  const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  const rows = new Map<string, { severity: string; receiver: string; inhibitedBy: string }>();
  const table = doc.slice(doc.indexOf('| alert | severity | receiver | inhibited by |'));
  for (const line of table.split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [alert, severity, receiver, inhibitedBy] = line
      .split('|')
      .slice(1, 5)
      .map((c) => c.trim().replace(/`/g, ''));
    rows.set(alert!, { severity: severity!, receiver: receiver!, inhibitedBy: inhibitedBy! });
  }
  return rows;
}

describe('alertmanager.yml, checked by amtool', () => {
  it('when amtool checks the config, then it is valid', () => {
    const r = amtool(['check-config', ALERTMANAGER_CONFIG]);
    assert.ok(r.ok, r.output);
  });

  it('when each rule is routed by amtool, then it reaches the receiver and carries the severity docs/operations.md names', () => {
    const documented = documentedRoutes();
    assert.deepEqual([...documented.keys()].sort(), rules.map((r) => r.alert).sort(), 'the routing table lists every rule, and only rules');
    for (const rule of rules) {
      const row = documented.get(rule.alert)!;
      assert.equal(rule.labels['severity'], row.severity, `${rule.alert}: severity`);
      const r = amtool([
        'config',
        'routes',
        'test',
        `--config.file=${ALERTMANAGER_CONFIG}`,
        `--verify.receivers=${row.receiver}`,
        `alertname=${rule.alert}`,
        `severity=${rule.labels['severity']}`,
        'service=llm',
      ]);
      assert.ok(r.ok, `${rule.alert} → ${row.receiver}: ${r.output}`);
    }
  });
});

describe('alertmanager.yml, routing through a real Alertmanager', () => {
  const dir = tempDir('pressroom-alertmanager-');
  let slack: HttpStub;
  let webhook: HttpStub;
  let smtp: SmtpStandIn;
  let am: RunningAlertmanager;
  const token = 'test-token-8c1f';
  const down = { alertname: 'PressroomServiceUnavailable', severity: 'critical', service: 'llm', job: 'llm' };
  const llmReplicaDown = { alertname: 'PressroomServiceDown', severity: 'critical', service: 'llm', job: 'llm', instance: 'llm:8082' };
  // One research replica down of several: it holds nothing back (the others still report their latency).
  const researchReplicaDown = { alertname: 'PressroomServiceDown', severity: 'critical', service: 'research', job: 'research', instance: 'research-0:8081' };
  const llmSlow = { alertname: 'PressroomHighStageLatency', severity: 'warning', service: 'llm', stage: 'write' };
  const researchWaits = (instance: string) => ({ alertname: 'PressroomTaskAgeHigh', severity: 'warning', service: 'research', stage: 'research', instance });
  const info = { alertname: 'PressroomRoutingProbe', severity: 'info', service: 'gateway' };
  const webhookNotes = () => webhook.requests.map((r) => r.json() as Notification);
  const firing = (n: Notification, alertname: string, service: string) =>
    n.status === 'firing' && n.groupLabels['alertname'] === alertname && n.groupLabels['service'] === service;

  before(async () => {
    slack = await startHttpStub(() => ({ status: 200, body: 'ok' }));
    webhook = await startHttpStub(() => ({ status: 200 }));
    smtp = await startSmtpStandIn();
    const config = localConfig(dir, { slackUrl: `${slack.url}/slack`, webhookUrl: `${webhook.url}/alertmanager`, smtpPort: smtp.port, webhookToken: token });
    assert.ok(amtool(['check-config', config]).ok, 'the local copy of the config is valid too');
    am = await startAlertmanager(config, dir);
    await am.postAlerts([
      { labels: down, annotations: { summary: 'no replica of llm is up' } },
      { labels: llmReplicaDown, annotations: { summary: 'llm is down (llm:8082)' } },
      { labels: researchReplicaDown, annotations: { summary: 'research is down (research-0:8081)' } },
      { labels: llmSlow, annotations: { summary: 'p95 of the write stage is 1m' } },
      { labels: researchWaits('research-0'), annotations: { summary: 'research tasks wait (replica 0)' } },
      { labels: researchWaits('research-1'), annotations: { summary: 'research tasks wait (replica 1)' } },
      { labels: info, annotations: { summary: 'an info alert' } },
    ]);
    // Every group has the same one-second wait: once these three have arrived, the cycle that would have sent
    // the others is over.
    await pollUntil(
      'the critical, warning and info notifications on the webhook',
      () => {
        const n = webhookNotes();
        return n.some((x) => firing(x, down.alertname, 'llm')) &&
          n.some((x) => firing(x, 'PressroomTaskAgeHigh', 'research')) &&
          n.some((x) => firing(x, info.alertname, 'gateway'))
          ? true
          : undefined;
      },
      { timeoutMs: 20_000, lastSeen: () => JSON.stringify(webhookNotes().map((n) => n.groupLabels)) },
    );
  });

  after(async () => {
    await am?.close();
    await Promise.all([slack?.close(), webhook?.close(), smtp?.close()]);
    removeDir(dir);
  });

  it('when a service is down, then its critical alert reaches Slack, e-mail and the webhook (with the bearer token)', async () => {
    const note = webhookNotes().find((n) => firing(n, down.alertname, 'llm'))!;
    assert.equal(note.receiver, 'pressroom-critical');
    assert.equal(
      webhook.requests.find((r) => (r.json() as Notification).groupLabels['alertname'] === down.alertname)!.headers['authorization'],
      `Bearer ${token}`,
    );
    await pollUntil(
      'the Slack message of the down alert',
      () => (slack.requests.some((r) => r.body.includes('PressroomServiceUnavailable llm')) ? true : undefined),
      {
        lastSeen: () => slack.requests.map((r) => r.body).join('\n'),
      },
    );
    await pollUntil('the e-mail of the down alert', () => (smtp.messages.some((m) => /PressroomServiceUnavailable/.test(m)) ? true : undefined));
  });

  it('when two replicas raise the same alert for one service, then each receiver gets them as one notification', async () => {
    const notes = webhookNotes().filter((n) => firing(n, 'PressroomTaskAgeHigh', 'research'));
    assert.equal(notes.length, 1);
    assert.equal(notes[0]!.receiver, 'pressroom-warning');
    assert.deepEqual(notes[0]!.alerts.map((a) => a.labels['instance']).sort(), ['research-0', 'research-1']);
    const messages = await pollUntil('the Slack message of the grouped alert', () => {
      const m = slack.requests.filter((r) => r.body.includes('PressroomTaskAgeHigh research'));
      return m.length ? m : undefined;
    });
    assert.equal(messages.length, 1);
    assert.match(messages[0]!.body, /replica 0[\s\S]*replica 1|replica 1[\s\S]*replica 0/);
  });

  it('when an info alert fires, then only the webhook gets it', () => {
    assert.equal(webhookNotes().find((n) => firing(n, info.alertname, 'gateway'))!.receiver, 'pressroom-info');
    assert.ok(!slack.requests.some((r) => r.body.includes(info.alertname)), 'no Slack message for info');
  });

  it('when no replica of a service is up, then its latency and per-replica down alerts are inhibited, and sent once it is back; one replica down holds nothing back', async () => {
    assert.ok(!webhookNotes().some((n) => firing(n, llmSlow.alertname, 'llm')), 'the llm latency alert was not sent while llm is down');
    assert.ok(!webhookNotes().some((n) => firing(n, llmReplicaDown.alertname, 'llm')), 'nor its per-replica down alert');
    // Sent, and research's TaskAgeHigh went out beside it (the before hook waited for that one).
    await pollUntil('the down alert of one research replica', () =>
      webhookNotes().some((n) => firing(n, researchReplicaDown.alertname, 'research')) ? true : undefined,
    );
    assert.ok(!slack.requests.some((r) => r.body.includes('PressroomHighStageLatency')), 'nor to Slack');
    const slow = (await am.alerts()).find((a) => a.labels['alertname'] === llmSlow.alertname)!;
    const downAlert = (await am.alerts()).find((a) => a.labels['alertname'] === down.alertname)!;
    assert.equal(slow.status.state, 'suppressed');
    assert.deepEqual(slow.status.inhibitedBy, [downAlert.fingerprint]);

    await am.postAlerts([{ labels: down, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    await pollUntil('the llm latency alert, after llm is back', () => (webhookNotes().some((n) => firing(n, llmSlow.alertname, 'llm')) ? true : undefined), {
      timeoutMs: 20_000,
    });
  });
});
