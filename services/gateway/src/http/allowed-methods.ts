import type { RequestHandler } from 'express';
import { AppError } from '@pressroom/contracts';
import { OPERATIONS } from './openapi-operations.ts';

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Each documented path, as a matcher of the normalised request path (routing ignores case and a trailing slash). */
const PATHS = [...new Set(OPERATIONS.map((op) => op.path))].map((template) => ({
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i'),
  methods: [...new Set(OPERATIONS.filter((op) => op.path === template).flatMap((op) => (op.method === 'get' ? ['GET', 'HEAD'] : [op.method.toUpperCase()])))],
}));

/** The methods the API serves on `path` (OPTIONS included), or undefined for a path it does not serve at all. */
function allowedMethods(path: string): string[] | undefined {
  const methods = PATHS.filter((p) => p.pattern.test(path)).flatMap((p) => p.methods);
  return methods.length === 0 ? undefined : [...new Set([...methods, 'OPTIONS'])].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
}

/**
 * OPTIONS on a path the API serves: 204 with `Allow`, before any guard (it reads nothing and needs no credential).
 * A CORS preflight is answered before this, by the CORS policy.
 */
export function answerOptions(): RequestHandler {
  return (req, res, next) => {
    const allow = req.method === 'OPTIONS' ? allowedMethods(req.path) : undefined;
    if (!allow) return next();
    res.set('Allow', allow.join(', ')).status(204).end();
  };
}

/** After every route: a served path asked with another method is 405 with `Allow` (RFC 9110 15.5.6), not 404. */
export function refuseOtherMethods(): RequestHandler {
  return (req, _res, next) => {
    const allow = allowedMethods(req.path);
    // A served method that still reached here (no route took it after all) is a plain 404, never "not allowed".
    if (!allow || allow.includes(req.method)) return next();
    throw new AppError('method_not_allowed', `${req.method} is not served on this path; it serves ${allow.join(', ')}`, {
      headers: { Allow: allow.join(', ') },
    });
  };
}
