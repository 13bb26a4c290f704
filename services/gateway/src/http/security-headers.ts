import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults (nosniff, HSTS, frame and referrer policies, ...) tightened for a JSON API: nothing here is
 * ever a document to render, so the CSP allows nothing and no response may be framed. Responses carry
 * personal data and tokens, so no cache may keep them.
 */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      frameguard: { action: 'deny' },
    }),
    (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      next();
    },
  ];
}
