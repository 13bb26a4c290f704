import { AppError } from '@pressroom/contracts';
import type { Config } from '@pressroom/config';
import { deriveWebhookSecret, endpointSecretContext, requestSecretContext } from '@pressroom/resilience';
import type { EndpointRow } from './webhook-repository.ts';

export function masterSecret(config: Pick<Config, 'WEBHOOK_SIGNING_SECRET'>): string {
  if (!config.WEBHOOK_SIGNING_SECRET) throw new AppError('unavailable', 'webhooks are not configured on this server (WEBHOOK_SIGNING_SECRET is not set)');
  return config.WEBHOOK_SIGNING_SECRET;
}

/** The versions that sign for an endpoint now: the current one, and the previous one during a rotation's overlap. */
export function signingVersions(e: Pick<EndpointRow, 'secret_version' | 'previous_secret_until'>, now = Date.now()): number[] {
  const overlap = e.secret_version > 1 && e.previous_secret_until !== null && Date.parse(e.previous_secret_until) > now;
  return overlap ? [e.secret_version, e.secret_version - 1] : [e.secret_version];
}

export function endpointSecret(master: string, endpointId: string, version: number): string {
  return deriveWebhookSecret(master, endpointSecretContext(endpointId, version));
}

/** The secret of an ad-hoc `{type: "webhook", url}` channel: one per request, so no two receivers share it. */
export function requestWebhookSecret(master: string, requestId: string): string {
  return deriveWebhookSecret(master, requestSecretContext(requestId));
}
