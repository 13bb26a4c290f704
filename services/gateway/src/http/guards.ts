import type { RequestHandler } from 'express';
import { isAppError } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { authenticate, requireAdmin } from './authenticate.ts';
import { carriesCredential, type RateLimits } from './rate-limits.ts';

/** What a route puts in front of its handler. The per-user limit needs the user, so it follows authentication. */
export interface Guards {
  user: RequestHandler[];
  admin: RequestHandler[];
  /** Authentication only, for routes with budgets of their own (event streams: MAX_STREAMS_PER_USER). */
  authenticated: RequestHandler[];
  /** Counts a call whose credential was refused against the per-IP budget, then refuses it with `err`. */
  refuse: (err: unknown) => RequestHandler;
  /** The same for a credential sent in the body (a refresh token), which `refuse` cannot see. */
  refuseBodyCredential: (err: unknown) => RequestHandler;
}

export function createGuards(deps: Pick<GatewayDeps, 'db' | 'tokens' | 'sessions'>, limits: Pick<RateLimits, 'user' | 'unauthenticated'>): Guards {
  const auth = authenticate(deps);
  // A refused credential is a call without a valid one: it spends the per-IP budget (RATE_LIMIT_IP_PER_HOUR),
  // which answers 429 once spent, else the 401 stands.
  // A call that sent no credential at all was counted by the global `ip` limiter already.
  const refuseBodyCredential =
    (err: unknown): RequestHandler =>
    (req, res, next) =>
      limits.unauthenticated(req, res, (limited?: unknown) => next(limited ?? err));
  const refuse =
    (err: unknown): RequestHandler =>
    (req, res, next) =>
      carriesCredential(req) ? refuseBodyCredential(err)(req, res, next) : next(err);
  const counted: RequestHandler = async (req, res, next) => {
    try {
      await auth(req, res, next);
    } catch (err) {
      if (!isAppError(err) || err.code !== 'unauthorized') throw err;
      refuse(err)(req, res, next);
    }
  };
  return { user: [counted, limits.user], admin: [counted, limits.user, requireAdmin()], authenticated: [counted], refuse, refuseBodyCredential };
}
