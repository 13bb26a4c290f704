import { AppError } from '@pressroom/contracts';
import { markCancelled } from '@pressroom/cache';
import type { GatewayDeps } from '../deps.ts';
import { requestOwnerScope, type Principal } from '../http/authenticate.ts';
import { recordCancelRequest } from '../tracker/request-state-writer.ts';
import { getRequest } from './read-requests.ts';

/**
 * `POST /v1/requests/{id}/cancel`: recorded through the tracker's writer (the one writer of request state), then
 * the marker workers read at each stage boundary. The status becomes `cancelled` when a worker reaches one; a
 * stage already running finishes (the llm abandons its call). Asking again while it stops is accepted again, so
 * a client whose first call met a Redis outage (503) can simply retry. The daily quota is not refunded: the
 * request was accepted and may already have cost research and writing.
 */
export async function cancelRequest(deps: Pick<GatewayDeps, 'db' | 'redis' | 'config'>, principal: Principal, requestId: string) {
  const userId = requestOwnerScope(principal);
  const outcome = await recordCancelRequest(deps.db, requestId, userId);
  if (outcome.kind === 'not_found') throw new AppError('not_found', `no content request ${requestId}`);
  if (outcome.kind === 'final') throw new AppError('conflict', `request ${requestId} is already ${outcome.status}; only a request in flight can be cancelled`);
  try {
    await markCancelled(deps.redis, deps.config.REDIS_KEY_PREFIX, requestId);
  } catch (err) {
    throw new AppError('unavailable', 'the cancel is recorded but could not reach the workers; retry the call', {
      cause: err,
      headers: { 'Retry-After': '5' },
    });
  }
  return getRequest(deps.db, requestId, userId);
}
