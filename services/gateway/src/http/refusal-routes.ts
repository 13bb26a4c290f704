import type { IncomingMessage } from 'node:http';
import type { PrecheckedToken } from '../auth/access-tokens.ts';
import type { SpentKeys } from './counted-budget.ts';
import { BEARER_JWT, apiKeyOf } from './credential-shapes.ts';
import { normalizeUrlPath } from './normalize-path.ts';

// The routes behind the guards (guards.ts), by method, as the routers declare them: these answer 401 to a call
// without a usable credential whatever else it carries. Under /v1/requests, /v1/webhooks and /v1/admin the
// guards are mounted with `router.use`, so they run for any method and any sub-path.
const MOUNTED = /^\/v1\/(?:requests|webhooks|admin)(?:\/.*)?$/i;
const ROUTES: [method: string, pattern: RegExp, route: string][] = [
  ['POST', /^\/v1\/auth\/logout\/?$/i, '/v1/auth/logout'],
  ['GET', /^\/v1\/auth\/sessions\/?$/i, '/v1/auth/sessions'],
  ['DELETE', /^\/v1\/auth\/sessions\/[^/%]+\/?$/i, '/v1/auth/sessions/:id'],
  ['POST', /^\/v1\/auth\/password\/?$/i, '/v1/auth/password'],
  ['GET', /^\/v1\/me\/?$/i, '/v1/me'],
  ['GET', /^\/v1\/api-keys\/?$/i, '/v1/api-keys'],
  ['POST', /^\/v1\/api-keys\/?$/i, '/v1/api-keys'],
  ['GET', /^\/v1\/api-keys\/[^/%]+\/?$/i, '/v1/api-keys/:id'],
  ['DELETE', /^\/v1\/api-keys\/[^/%]+\/?$/i, '/v1/api-keys/:id'],
  ['POST', /^\/v1\/stream-tickets\/?$/i, '/v1/stream-tickets'],
];

/** The calls that cost the pipeline work (POST): a submission and a cancel, the `user` budget's calls. */
export const SUBMIT_OR_CANCEL = /^\/v1\/requests(\/[^/]+\/cancel)?\/?$/i;

/**
 * Why the fast path refuses a call: no usable credential (`missing`: none, or neither an API key nor a
 * well-formed JWT), a JWT whose signature does not match or that has expired (`invalid`), or a submission or
 * cancel by a user whose submission budget this replica has seen spent (`user-spent`, until its window resets).
 * `api-key` is a call with an API key, refused only when its address has spent its budget (see the fast path).
 */
export type Refusal = { route: string; reason: 'missing' | 'invalid' | 'api-key' } | { route: string; reason: 'user-spent'; userId: string; until: number };

export interface Refusals {
  /** The refusal the fast path will answer for this request, or undefined for express. */
  classify(req: IncomingMessage): Refusal | undefined;
  /** The user budget's spent users, which `classify` consults (rate-limits.ts builds the budget over them). */
  spentUsers: SpentKeys;
}

/**
 * Decides from the request line and headers alone, plus one HMAC for a token, before the HTTP instrumentation
 * sees the call (gateway.ts), so a refused call starts no server span. Anything not refused here is express's: an API key
 * (unless its address is spent), a token the precheck accepts or cannot read, a stream `?ticket=`, a CORS request (`Origin`), HEAD and OPTIONS.
 * A refused user is told so without the session check: a revoked session with a spent budget gets 429, not 401.
 */
export function createRefusals(deps: { precheck: (jws: string) => PrecheckedToken | undefined; spentUsers: SpentKeys }): Refusals {
  function classify(req: IncomingMessage): Refusal | undefined {
    const method = req.method ?? '';
    if (method === 'HEAD' || method === 'OPTIONS' || req.headers.origin !== undefined) return undefined;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if (q !== -1 && /ticket|%/i.test(url.slice(q))) return undefined;
    const raw = q === -1 ? url : url.slice(0, q);
    const path = raw.includes('%') || raw.includes('//') ? normalizeUrlPath(raw) : raw;
    const route = guardedRoute(method, path);
    if (route === undefined) return undefined;
    const auth = req.headers.authorization;
    if (apiKeyOf(auth) !== undefined) return { route, reason: 'api-key' };
    const jws = auth === undefined ? undefined : BEARER_JWT.exec(auth)?.[1];
    if (jws === undefined) return { route, reason: 'missing' };
    const token = deps.precheck(jws);
    if (token === 'refused') return { route, reason: 'invalid' };
    if (!token || method !== 'POST' || !SUBMIT_OR_CANCEL.test(path)) return undefined;
    const spent = deps.spentUsers.get(token.sub);
    return spent ? { route, reason: 'user-spent', userId: token.sub, until: spent.until } : undefined;
  }
  return { spentUsers: deps.spentUsers, classify };
}

/** The route as the access metrics label it (`unrouted` under a router.use guard), or undefined when not guarded. */
function guardedRoute(method: string, path: string): string | undefined {
  if (MOUNTED.test(path)) return 'unrouted';
  for (const [m, pattern, route] of ROUTES) if (m === method && pattern.test(path)) return route;
  return undefined;
}
