import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Logger } from '@pressroom/logger';
import { createOperatorClient } from '@pressroom/resilience';
import { alertWebhookSecret } from './alert-webhook-secret.ts';
import { createAlerter, type Alerter } from './alerter.ts';
import type { DeliveryOptions } from './delivery-queue.ts';
import { createEmailSink } from './sinks/email-sink.ts';
import type { AlertSink } from './sinks/sink.ts';
import { createSlackSink } from './sinks/slack-sink.ts';
import { createWebhookSink } from './sinks/webhook-sink.ts';

/** The settings read here; `Config` satisfies it (ALERT_COOLDOWN_S once the schema declares it). */
export interface AlertConfig {
  ALERT_SLACK_WEBHOOK_URL?: string | undefined;
  ALERT_WEBHOOK_URL?: string | undefined;
  ALERT_EMAIL_TO?: string | undefined;
  SMTP_URL?: string | undefined;
  WEBHOOK_SIGNING_SECRET?: string | undefined;
  ALERT_WEBHOOK_SECRET?: string | undefined;
  ALERT_COOLDOWN_S?: number | string | undefined;
}

export const DEFAULT_ALERT_COOLDOWN_S = 300;

export interface AlerterFromConfigDeps {
  service: string;
  redis: Redis;
  logger: Logger;
  metrics: { registry: Registry };
  instance?: string;
  /** Used when the config has no ALERT_COOLDOWN_S. */
  cooldownSeconds?: number;
  emailFrom?: string;
  httpTimeoutMs?: number;
  delivery?: Partial<DeliveryOptions>;
}

/** Only the sinks whose settings are present; half-configured sinks fail start-up rather than alert nobody. */
export function sinksFromConfig(config: AlertConfig, opts: { httpTimeoutMs?: number; emailFrom?: string } = {}): AlertSink[] {
  // Alert URLs come from the operator's configuration, never from users, and often point inside the cluster
  // (an Alertmanager relay, a mail gateway): they get the operator client, not the one for user targets.
  const http = createOperatorClient({ timeoutMs: opts.httpTimeoutMs ?? 5000, userAgent: 'Pressroom-Alerts/0.1' });
  const sinks: AlertSink[] = [];
  if (config.ALERT_SLACK_WEBHOOK_URL) sinks.push(createSlackSink({ url: config.ALERT_SLACK_WEBHOOK_URL, http }));
  if (config.ALERT_WEBHOOK_URL) {
    const signing = alertWebhookSecret(config);
    if (!signing) throw new Error('ALERT_WEBHOOK_SECRET or WEBHOOK_SIGNING_SECRET is required when ALERT_WEBHOOK_URL is set (alerts are signed)');
    sinks.push(createWebhookSink({ url: config.ALERT_WEBHOOK_URL, secret: signing.secret, http }));
  }
  if (Boolean(config.ALERT_EMAIL_TO) !== Boolean(config.SMTP_URL)) throw new Error('ALERT_EMAIL_TO and SMTP_URL must be set together');
  if (config.ALERT_EMAIL_TO && config.SMTP_URL) {
    sinks.push(
      createEmailSink({
        smtpUrl: config.SMTP_URL,
        to: config.ALERT_EMAIL_TO,
        from: opts.emailFrom ?? `Pressroom alerts <pressroom-alerts@${hostname()}>`,
        timeoutMs: opts.httpTimeoutMs,
      }),
    );
  }
  return sinks;
}

export function createAlerterFromConfig(config: AlertConfig, deps: AlerterFromConfigDeps): Alerter {
  const raw = Number(config.ALERT_COOLDOWN_S ?? deps.cooldownSeconds ?? DEFAULT_ALERT_COOLDOWN_S);
  if (!Number.isInteger(raw) || raw < 1) throw new Error(`ALERT_COOLDOWN_S must be a whole number of seconds >= 1 (got ${config.ALERT_COOLDOWN_S})`);
  const sinks = sinksFromConfig(config, { httpTimeoutMs: deps.httpTimeoutMs, emailFrom: deps.emailFrom });
  deps.logger.info(
    { sinks: sinks.map((s) => s.name), cooldown_s: raw },
    sinks.length > 0 ? 'alerts enabled' : 'alerts go to the log only (no sink configured)',
  );
  return createAlerter({
    service: deps.service,
    instance: deps.instance ?? `${hostname()}:${process.pid}`,
    redis: deps.redis,
    logger: deps.logger,
    metrics: deps.metrics,
    sinks,
    cooldownSeconds: raw,
    delivery: deps.delivery,
  });
}
