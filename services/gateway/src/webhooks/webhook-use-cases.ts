import { randomUUID } from 'node:crypto';
import { AppError, type CreateWebhookBody, type PatchWebhookBody } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { decodeCursor, toPage } from '../requests/cursor.ts';
import {
  countEndpoints,
  deleteEndpoint,
  findEndpoint,
  insertEndpoint,
  insertTestDelivery,
  listDeliveries,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
  type EndpointRow,
} from './webhook-repository.ts';
import { endpointSecret, masterSecret } from './webhook-secrets.ts';
import { checkWebhookTarget } from './task-channel.ts';
import { toDeliveryView, toWebhookView } from './webhook-views.ts';

const MAX_ENDPOINTS_PER_USER = 20;
type Deps = Pick<GatewayDeps, 'db' | 'config' | 'deliveries'>;

function checkTarget(deps: Deps, url: string): void {
  checkWebhookTarget(deps.deliveries.targetPolicy, url, 'url');
}

export async function createEndpoint(deps: Deps, userId: string, body: CreateWebhookBody) {
  const master = masterSecret(deps.config);
  checkTarget(deps, body.url);
  if ((await countEndpoints(deps.db, userId)) >= MAX_ENDPOINTS_PER_USER)
    throw new AppError('conflict', `a user may register at most ${MAX_ENDPOINTS_PER_USER} webhook endpoints`);
  const row = await insertEndpoint(deps.db, { id: randomUUID(), user_id: userId, url: body.url, events: body.events });
  return { ...toWebhookView(row), secret: endpointSecret(master, row.id, row.secret_version) };
}

export async function listUserEndpoints(deps: Deps, userId: string) {
  return { items: (await listEndpoints(deps.db, userId)).map(toWebhookView) };
}

export async function ownEndpoint(deps: Deps, id: string, userId: string): Promise<EndpointRow> {
  const row = await findEndpoint(deps.db, id, userId);
  if (!row) throw new AppError('not_found', 'no such webhook endpoint');
  return row;
}

export async function patchEndpoint(deps: Deps, id: string, userId: string, patch: PatchWebhookBody) {
  if (patch.url) checkTarget(deps, patch.url);
  const row = await updateEndpoint(deps.db, id, userId, patch);
  if (!row) throw new AppError('not_found', 'no such webhook endpoint');
  return toWebhookView(row);
}

export async function removeEndpoint(deps: Deps, id: string, userId: string): Promise<void> {
  if (!(await deleteEndpoint(deps.db, id, userId))) throw new AppError('not_found', 'no such webhook endpoint');
}

/** The new secret is shown once; the previous one keeps signing for `overlapS` seconds so receivers can switch. */
export async function rotateSecret(deps: Deps, id: string, userId: string, overlapS: number | undefined) {
  const master = masterSecret(deps.config);
  const row = await rotateEndpointSecret(deps.db, id, userId, overlapS ?? deps.config.WEBHOOK_SECRET_OVERLAP_S);
  if (!row) throw new AppError('not_found', 'no such webhook endpoint');
  const view = toWebhookView(row);
  return {
    id: row.id,
    secret: endpointSecret(master, row.id, row.secret_version),
    secret_version: row.secret_version,
    previous_secret_valid_until: view.previous_secret_valid_until,
  };
}

export async function sendTestEvent(deps: Deps, id: string, userId: string) {
  masterSecret(deps.config);
  const endpoint = await ownEndpoint(deps, id, userId);
  if (!endpoint.enabled) throw new AppError('conflict', 'the endpoint is disabled; enable it (PATCH enabled: true) before testing');
  const delivery = await insertTestDelivery(deps.db, endpoint.id);
  deps.deliveries.wake();
  return toDeliveryView(delivery);
}

export async function deliveryPage(
  deps: Deps,
  id: string,
  userId: string,
  q: { status?: string | undefined; limit?: number | undefined; cursor?: string | undefined },
) {
  const endpoint = await ownEndpoint(deps, id, userId);
  const limit = q.limit ?? 20;
  const rows = await listDeliveries(deps.db, {
    endpointId: endpoint.id,
    status: q.status,
    before: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: limit + 1,
  });
  return toPage(rows, limit, toDeliveryView);
}
