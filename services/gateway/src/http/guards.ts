import type { RequestHandler } from 'express';
import type { GatewayDeps } from '../deps.ts';
import { authenticate, requireAdmin } from './authenticate.ts';
import type { RateLimits } from './rate-limits.ts';

/** What a route puts in front of its handler. The per-user limit needs the user, so it follows authentication. */
export interface Guards {
  user: RequestHandler[];
  admin: RequestHandler[];
}

export function createGuards(deps: Pick<GatewayDeps, 'db' | 'tokens'>, limits: Pick<RateLimits, 'user'>): Guards {
  const auth = authenticate(deps);
  return { user: [auth, limits.user], admin: [auth, limits.user, requireAdmin()] };
}
