import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import helmet from 'helmet';

/** The operator console's static files (plain ES modules and CSS: no build step, shipped with the sources). */
const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

/**
 * `/console`: the only documents the gateway serves. Their CSP allows the console's own scripts, styles and API
 * calls and nothing else (no inline script or style, no framing, no plugins), and Trusted Types make any HTML
 * sink throw, so text from the API can only ever be text. Served before the rate limits: loading the page must
 * not spend the per-IP budget that the sign-in and the API calls count against.
 */
export function consoleRoutes(): Router {
  const router = Router();
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        requireTrustedTypesFor: ["'script'"],
        trustedTypes: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: true,
  });
  // /console redirects to /console/ so that the page's relative module paths resolve. Middleware, not a route:
  // these are documents, not API operations (the route-walking tests and /openapi.json list API routes only).
  router.use((req, res, next) => ((req.method === 'GET' || req.method === 'HEAD') && req.path === '/console' ? res.redirect(301, '/console/') : next()));
  router.use(
    '/console',
    headers,
    express.static(CONSOLE_DIR, { index: 'index.html', cacheControl: false, dotfiles: 'ignore', redirect: false, fallthrough: true }),
  );
  return router;
}
