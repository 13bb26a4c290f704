import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hostname } from 'node:os';
import { BASE_URLS, cleanupRedis, startHttpStub, testId, type HttpStub } from '@pressroom/test-support';
import { alertWebhookSecret, createAlerter, sinksFromConfig, type Alerter } from '../src/index.ts';
import { capturedLogger, llmFailure, newMetrics, ready, testRedis } from './support/fixtures.ts';
import { startSmtpCapture, type SmtpCapture } from './support/smtp-capture.ts';

const SECRET = 'alert-signing-secret-of-at-least-32-bytes!!';
const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('alert sinks (Slack webhook, signed webhook, SMTP)', () => {
  const id = testId('alertsinks');
  const redis = testRedis(BASE_URLS.redis, `test:${id}:`);
  let slack: HttpStub;
  let hook: HttpStub;
  let smtp: SmtpCapture;
  let alerter: Alerter;

  before(async () => {
    [slack, hook, smtp] = await Promise.all([startHttpStub(() => ({ body: 'ok' })), startHttpStub(() => ({ status: 204 })), startSmtpCapture(), ready(redis)]);
    const config = {
      ALERT_SLACK_WEBHOOK_URL: `${slack.url}/services/T0/B0/xyz`,
      ALERT_WEBHOOK_URL: `${hook.url}/alerts`,
      WEBHOOK_SIGNING_SECRET: SECRET,
      SMTP_URL: smtp.url,
      ALERT_EMAIL_TO: 'oncall@example.test',
    };
    const sinks = sinksFromConfig(config, { emailFrom: 'alerts@pressroom.test' });
    alerter = createAlerter({
      service: 'llm',
      instance: 'llm-1:42',
      redis,
      logger: capturedLogger().logger,
      metrics: newMetrics(),
      sinks,
      cooldownSeconds: 300,
      now: () => NOW,
    });
    await alerter.raise(llmFailure());
    assert.equal(await alerter.flush(10_000), true);
  });

  after(async () => {
    await alerter.close(1000);
    await Promise.all([slack.close(), hook.close(), smtp.close()]);
    redis.disconnect();
    await cleanupRedis(id);
  });

  const expectedText = [
    '[critical] LLM calls failing: provider openai answered 500',
    'kind: llm_failure',
    'service: llm',
    'instance: llm-1:42',
    'stage: write',
    'request_id: 3f1c1a64-7c1e-4a53-9a43-2d1b0a6f9e10',
    'trace_id: 4bf92f3577b34da6a3ce929d0e0e4736',
    'provider: openai',
    'model: gpt-4o-mini',
    'status: 500',
    'time: 2026-03-01T12:00:00.000Z',
  ].join('\n');

  it('when an alert is raised, then Slack receives exactly the text and blocks with what, where, request and trace', () => {
    assert.equal(slack.requests.length, 1);
    const req = slack.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/services/T0/B0/xyz');
    assert.deepEqual(req.json(), {
      text: expectedText,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[critical] LLM calls failing: provider openai answered 500' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Kind*\nllm_failure' },
            { type: 'mrkdwn', text: '*Service*\nllm' },
            { type: 'mrkdwn', text: '*Instance*\nllm-1:42' },
            { type: 'mrkdwn', text: '*Stage*\nwrite' },
            { type: 'mrkdwn', text: '*Request id*\n3f1c1a64-7c1e-4a53-9a43-2d1b0a6f9e10' },
            { type: 'mrkdwn', text: '*Trace id*\n4bf92f3577b34da6a3ce929d0e0e4736' },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: '*provider*: openai\n*model*: gpt-4o-mini\n*status*: 500' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '2026-03-01T12:00:00.000Z' }] },
      ],
    });
  });

  it('when an alert is raised, then the webhook gets the JSON alert signed with HMAC-SHA256 over "<timestamp>.<body>" and the alert secret', () => {
    assert.equal(hook.requests.length, 1);
    const req = hook.requests[0]!;
    const ts = String(req.headers['x-pressroom-timestamp']);
    assert.match(ts, /^\d{10}$/);
    assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60);
    const key = alertWebhookSecret({ WEBHOOK_SIGNING_SECRET: SECRET })!.secret;
    assert.equal(req.headers['x-pressroom-signature'], `sha256=${createHmac('sha256', key).update(`${ts}.${req.body}`).digest('hex')}`);
    assert.match(String(req.headers['content-type']), /^application\/json/);
    assert.deepEqual(req.json(), {
      type: 'alert',
      alert: { ...llmFailure(), service: 'llm', instance: 'llm-1:42', time: NOW.toISOString(), suppressed: 0, cooldown_s: 300 },
      text: expectedText,
    });
  });

  it('when an alert is raised, then an email arrives with "[pressroom][severity] summary" and the request and trace ids', () => {
    assert.equal(smtp.messages.length, 1);
    const mail = smtp.messages[0]!;
    assert.deepEqual(mail.to, ['oncall@example.test']);
    assert.equal(mail.from, 'alerts@pressroom.test');
    assert.equal(mail.subject, '[pressroom][critical] LLM calls failing: provider openai answered 500');
    assert.equal(mail.text, expectedText);
    assert.match(mail.text, /request_id: 3f1c1a64-7c1e-4a53-9a43-2d1b0a6f9e10/);
    assert.match(mail.text, /trace_id: 4bf92f3577b34da6a3ce929d0e0e4736/);
  });

  it('when no sender is configured, then mail comes from pressroom-alerts at this host', async () => {
    const plain = createAlerter({
      service: 'gateway',
      instance: 'gw-1:7',
      redis,
      logger: capturedLogger().logger,
      metrics: newMetrics(),
      sinks: sinksFromConfig({ SMTP_URL: smtp.url, ALERT_EMAIL_TO: 'a@b.test' }),
      cooldownSeconds: 300,
    });
    await plain.raise({ kind: 'quota_exceeded', severity: 'warning', summary: 'daily quota used up', dedupe_key: 'user-42' });
    await smtp.waitFor(2);
    await plain.close(1000);
    assert.equal(smtp.messages[1]?.from, `pressroom-alerts@${hostname()}`);
    assert.equal(smtp.messages[1]?.subject, '[pressroom][warning] daily quota used up');
  });

  it('when a sink is half configured, then building the sinks fails instead of alerting nobody', () => {
    assert.throws(() => sinksFromConfig({ ALERT_WEBHOOK_URL: hook.url }), /ALERT_WEBHOOK_SECRET or WEBHOOK_SIGNING_SECRET is required/);
    assert.throws(() => sinksFromConfig({ ALERT_EMAIL_TO: 'a@b.test' }), /ALERT_EMAIL_TO and SMTP_URL must be set together/);
    assert.deepEqual(sinksFromConfig({}), []);
  });
});
