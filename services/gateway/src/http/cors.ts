import type { RequestHandler } from 'express';

// Every method a route answers (DELETE revokes keys and sessions, removes webhooks); Last-Event-ID resumes a stream.
const ALLOW_METHODS = 'GET, POST, PATCH, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id, Last-Event-ID';
// WWW-Authenticate: a browser client reads why a token or key was refused (invalid_token, insufficient_scope).
const EXPOSE_HEADERS = 'Location, Retry-After, RateLimit, RateLimit-Policy, X-Request-Id, Idempotent-Replayed, WWW-Authenticate';

function parseOrigins(setting: string): string[] {
  return setting
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}

/**
 * CORS from CORS_ORIGINS, an explicit allowlist (empty by default: no CORS headers at all, so browsers on
 * other sites cannot read responses). Tokens travel in the Authorization header, never cookies, so
 * credentials are never allowed. Preflights are answered here, before rate limits and authentication.
 */
export function corsPolicy(setting: string): RequestHandler {
  const allowed = new Set(parseOrigins(setting));
  return (req, res, next) => {
    const origin = req.get('origin');
    if (!origin) return next();
    res.vary('Origin');
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    if (allowed.has(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      if (!preflight) res.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
      else res.set({ 'Access-Control-Allow-Methods': ALLOW_METHODS, 'Access-Control-Allow-Headers': ALLOW_HEADERS, 'Access-Control-Max-Age': '600' });
    }
    // A refused preflight gets an answer without CORS headers, which the browser treats as "no".
    if (preflight) return void res.status(204).end();
    next();
  };
}
