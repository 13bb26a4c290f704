import { AppError, type Channel, type TaskChannel } from '@pressroom/contracts';
import type { Config } from '@pressroom/config';
import { assertAllowedUrl, type AddressPolicy } from '@pressroom/resilience';
import type { DbClient } from '../db/pool.ts';
import { findEndpoint } from './webhook-repository.ts';
import { masterSecret, requestWebhookSecret, signingVersions } from './webhook-secrets.ts';

/**
 * The outbound guard's URL rules, checked when a webhook URL is given (an endpoint's, or a submission's ad-hoc
 * one), so a refused target is a 400 at once; resolved addresses are checked again on every delivery.
 */
export function checkWebhookTarget(policy: AddressPolicy, url: string, field: string): void {
  try {
    assertAllowedUrl(new URL(url), policy);
  } catch (err) {
    throw new AppError('validation_failed', `the webhook url is not allowed: ${(err as Error).message}`, {
      errors: [{ field, message: 'is not an allowed target' }],
    });
  }
}

/**
 * The channel a task carries. `{type: "webhook", endpoint_id}` is resolved here, once, to the endpoint's URL
 * and the secret versions that sign for it, so the publisher derives its secrets without a database; other
 * channels go as given. Only this kind of submission costs a lookup.
 */
export async function resolveTaskChannel(
  deps: { db: DbClient; config: Pick<Config, 'WEBHOOK_SIGNING_SECRET'> },
  userId: string,
  channel: Channel,
): Promise<TaskChannel> {
  if (channel.type !== 'webhook' || !channel.endpoint_id) return channel;
  masterSecret(deps.config);
  const endpoint = await findEndpoint(deps.db, channel.endpoint_id, userId);
  if (!endpoint)
    throw new AppError('validation_failed', 'no such webhook endpoint', {
      errors: [{ field: 'channel.endpoint_id', message: 'is not one of your webhook endpoints' }],
    });
  if (!endpoint.enabled) throw new AppError('conflict', 'the webhook endpoint is disabled; enable it before publishing to it');
  return { type: 'webhook', endpoint_id: endpoint.id, url: endpoint.url, secret_versions: signingVersions(endpoint) };
}

/** The ad-hoc webhook channel's secret for the submit response: derived, so an idempotent replay shows the same one. */
export function adHocWebhookSecret(config: Pick<Config, 'WEBHOOK_SIGNING_SECRET'>, requestId: string, channel: Channel): { webhook_secret?: string } {
  if (channel.type !== 'webhook' || channel.endpoint_id || !config.WEBHOOK_SIGNING_SECRET) return {};
  return { webhook_secret: requestWebhookSecret(config.WEBHOOK_SIGNING_SECRET, requestId) };
}
