import express, { type RequestHandler } from 'express';
import { AppError } from '@pressroom/contracts';

/**
 * JSON only: a body with another media type is 415, an oversized one 413, a malformed one 400.
 * A bodiless POST (logout) is fine.
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const parse = express.json({ limit: limitBytes, strict: true, type: () => true });
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (!hasBody) return next();
    if (!req.is('application/json') && !req.is('application/*+json')) {
      return next(new AppError('unsupported_media_type', 'request bodies must be application/json'));
    }
    if (Number(req.get('content-length') ?? 0) > limitBytes) return next(new AppError('payload_too_large', `the request body exceeds ${limitBytes} bytes`));
    return parse(req, _res, next);
  };
  return [requireJson];
}
