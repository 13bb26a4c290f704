import type { IncomingMessage } from 'node:http';
import { API_KEY_PREFIX, BEARER_JWT } from './credential-shapes.ts';
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

/**
 * The route (as the access metrics label it) when the refusal fast path will answer this request itself: a
 * guarded route called without a usable credential (no `Authorization`, or one neither an API key nor a
 * well-formed JWT). Anything else is express's: a credential to verify, a stream `?ticket=`, a CORS request
 * (`Origin`), HEAD and OPTIONS. Pure and cheap, so that tracing can ask it before the server span starts.
 */
export function refusalRoute(req: IncomingMessage): string | undefined {
  const method = req.method ?? '';
  if (method === 'HEAD' || method === 'OPTIONS' || req.headers.origin !== undefined) return undefined;
  const auth = req.headers.authorization;
  if (auth !== undefined && (auth.startsWith(API_KEY_PREFIX) || BEARER_JWT.test(auth))) return undefined;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q !== -1 && /ticket|%/i.test(url.slice(q))) return undefined;
  const raw = q === -1 ? url : url.slice(0, q);
  const path = raw.includes('%') || raw.includes('//') ? normalizeUrlPath(raw) : raw;
  if (MOUNTED.test(path)) return 'unrouted';
  for (const [m, pattern, route] of ROUTES) if (m === method && pattern.test(path)) return route;
  return undefined;
}
