import type { createApiClient } from '../../services/gateway/test/support/gateway-harness.ts';
import { pollUntil } from '@pressroom/test-support';

type Api = ReturnType<typeof createApiClient>;
const FINAL = new Set(['published', 'failed']);

/** The user's requests, newest first (one page of up to 100 is all these tests submit). */
export async function listRequests(api: Api, token: string, status?: string): Promise<any[]> {
  const res = await api.call('GET', `/v1/requests?limit=100${status ? `&status=${status}` : ''}`, { token });
  if (res.status !== 200) throw new Error(`GET /v1/requests answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.items;
}

/** Waits until the request is `published` or `failed` and returns its detail view. */
export async function waitForFinalRequest(api: Api, token: string, id: string, timeoutMs = 20_000): Promise<any> {
  let last: any;
  return pollUntil(
    `request ${id} to be published or failed`,
    async () => {
      last = (await api.call('GET', `/v1/requests/${id}`, { token })).body;
      return FINAL.has(last?.status) ? last : undefined;
    },
    { timeoutMs, intervalMs: 100, lastSeen: () => JSON.stringify(last) },
  );
}

/** Waits until every one of `ids` is `published` or `failed`; returns the list items by id. */
export async function waitForAllFinal(api: Api, token: string, ids: string[], timeoutMs: number): Promise<Map<string, any>> {
  let byId = new Map<string, any>();
  const summary = () => JSON.stringify([...byId.values()].map((r) => r.status).sort());
  return pollUntil(
    `${ids.length} requests to be published or failed`,
    async () => {
      byId = new Map((await listRequests(api, token)).map((r) => [r.id, r]));
      return ids.every((id) => FINAL.has(byId.get(id)?.status)) ? byId : undefined;
    },
    { timeoutMs, intervalMs: 100, lastSeen: summary },
  );
}
