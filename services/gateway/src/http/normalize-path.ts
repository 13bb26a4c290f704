import type { RequestHandler } from 'express';

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * RFC 3986 §6.2.2 normalisation of the path before routing: percent-encoded unreserved characters are decoded
 * (`/v1/%72equests` is `/v1/requests`), other escapes are upper-cased, repeated slashes collapse. Together
 * with case-insensitive, non-strict routing, every spelling of a path reaches the same handler and the same
 * rate-limit bucket instead of slipping past a path-scoped limiter or guard.
 */
export function normalizePath(): RequestHandler {
  return (req, _res, next) => {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    const normalized = normalizeUrlPath(path);
    if (normalized !== path) req.url = normalized + (q === -1 ? '' : req.url.slice(q));
    next();
  };
}

export function normalizeUrlPath(path: string): string {
  return path
    .replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
      const char = String.fromCharCode(parseInt(hex, 16));
      return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
    })
    .replace(/\/{2,}/g, '/');
}
