import type { Request, RequestHandler, Response } from 'express';
import { trace } from '@opentelemetry/api';
import { AppError } from '@pressroom/contracts';
import { addLogContext } from '@pressroom/logger';
import { withSpan } from '@pressroom/telemetry';
import type { GatewayDeps } from '../deps.ts';
import { assertKeyAllows, authenticateApiKey } from '../api-keys/api-keys.ts';
import { sessionHolds } from '../auth/session-checks.ts';
import { BEARER_JWT, apiKeyOf } from './credential-shapes.ts';

export interface Principal {
  userId: string;
  sessionId: string;
  role: 'user' | 'admin';
  /** Set when the caller used an API key (`sessionId` is then empty): it acts as its owner within its scopes. */
  apiKey?: { id: string; prefix: string; scopes: string[] };
}

/**
 * Verifies the JWT, then asks PostgreSQL whether its session is still alive. The database is asked on every
 * request on purpose, and Redis is deliberately not in this path: a cache could serve a revoked session after
 * logout, and a Redis outage must never make the check fail open. It is one primary-key lookup that also sees
 * a disabled user or a changed role, so revocation holds on the next request on every replica (calls that
 * arrive together share the statement: session-checks.ts). An API key
 * (`Bearer prs_…`) takes the same single lookup instead, by its hash; JWT calls never look at API keys.
 */
export function authenticate(deps: Pick<GatewayDeps, 'db' | 'tokens' | 'sessions'>): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const apiKey = apiKeyOf(header);
    if (apiKey !== undefined) {
      const keyed = await withSpan('api key check', {}, () => authenticateApiKey(deps.db, apiKey));
      // The path as routed (normalised: no doubled slashes, decoded), so that no spelling of a route escapes its scope.
      assertKeyAllows(keyed, req.method, req.baseUrl + req.path);
      return admit({ userId: keyed.userId, sessionId: '', role: keyed.role, apiKey: keyed.apiKey });
    }
    const match = BEARER_JWT.exec(header);
    if (!match?.[1]) throw new AppError('unauthorized', 'a Bearer access token is required', { headers: { 'WWW-Authenticate': 'Bearer' } });
    const claims = deps.tokens.verify(match[1]);
    const state = await withSpan('session check', { user_id: claims.sub }, () => deps.sessions.check(claims.sid, claims.sub));
    if (!sessionHolds(state)) {
      throw new AppError('unauthorized', 'the session has ended', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    }
    admit({ userId: claims.sub, sessionId: claims.sid, role: state.role });

    function admit(principal: Principal) {
      admitPrincipal(res, principal);
      next();
    }
  };
}

/** The call acts as `principal` from here on: its handlers read it (principalOf), its log lines and span name the user. */
export function admitPrincipal(res: Response, principal: Principal): void {
  res.locals['principal'] = principal;
  addLogContext({ user_id: principal.userId, ...(principal.apiKey ? { api_key: principal.apiKey.prefix } : {}) });
  trace.getActiveSpan()?.setAttribute('user_id', principal.userId);
}

export function principalOf(req: Request): Principal {
  const p = req.res?.locals['principal'] as Principal | undefined;
  if (!p) throw new AppError('unauthorized', 'authentication required');
  return p;
}

/**
 * Whose requests the caller may act on (null: everyone's): an admin's session reaches every user's, anything else
 * only its own. An admin's API key acts as its owner, never as an admin.
 */
export const requestOwnerScope = (p: Principal): string | null => (p.role === 'admin' && !p.apiKey ? null : p.userId);

export function requireAdmin(): RequestHandler {
  return (req, _res, next) => {
    if (principalOf(req).role !== 'admin') throw new AppError('forbidden', 'this route needs the admin role');
    next();
  };
}
