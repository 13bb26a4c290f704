import { alertWebhookSecretContext, deriveWebhookSecret } from '@pressroom/resilience';

/** Part of the HKDF context; to give the receiver a new key sooner, set ALERT_WEBHOOK_SECRET. */
const ALERT_WEBHOOK_SECRET_VERSION = 1;

export interface AlertWebhookSecret {
  secret: string;
  source: 'ALERT_WEBHOOK_SECRET' | 'derived from WEBHOOK_SIGNING_SECRET';
}

/**
 * The one key that signs alert deliveries to ALERT_WEBHOOK_URL, never the master key itself: a receiver holding
 * it can verify alerts and nothing else, so it cannot forge deliveries to users' endpoints or webhooks. An explicit
 * ALERT_WEBHOOK_SECRET wins (it lets services that only send alerts run without the master key); otherwise it is
 * derived with HKDF like every other receiver's. `pressroom alert-webhook-secret` prints what this returns.
 */
export function alertWebhookSecret(config: {
  ALERT_WEBHOOK_SECRET?: string | undefined;
  WEBHOOK_SIGNING_SECRET?: string | undefined;
}): AlertWebhookSecret | undefined {
  if (config.ALERT_WEBHOOK_SECRET) return { secret: config.ALERT_WEBHOOK_SECRET, source: 'ALERT_WEBHOOK_SECRET' };
  if (!config.WEBHOOK_SIGNING_SECRET) return undefined;
  return {
    secret: deriveWebhookSecret(config.WEBHOOK_SIGNING_SECRET, alertWebhookSecretContext(ALERT_WEBHOOK_SECRET_VERSION)),
    source: 'derived from WEBHOOK_SIGNING_SECRET',
  };
}
