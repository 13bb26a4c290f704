import type { ErrorRequestHandler, Response } from 'express';
import { AppError, type ErrorCode, type FieldError } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import { currentTraceId } from '@pressroom/telemetry';
import { isDatabaseUnavailable } from '../db/pool.ts';

/** The single mapping from error codes to HTTP (DESIGN.md, HTTP API). */
const HTTP_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  quota_exceeded: 429,
  unavailable: 503,
  internal: 500,
};

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'Validation failed',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  quota_exceeded: 'Daily quota exceeded',
  unavailable: 'Service unavailable',
  internal: 'Internal server error',
};

/** The problem+json body (RFC 9457) of every error answer, the refusal fast path's included. */
export function problemBody(code: ErrorCode, detail: string, traceId: string | null, errors?: FieldError[]) {
  return {
    type: `urn:pressroom:problem:${code}`,
    title: TITLES[code],
    status: HTTP_STATUS[code],
    detail,
    code,
    trace_id: traceId,
    ...(errors ? { errors } : {}),
  };
}

function sendProblem(res: Response, code: ErrorCode, detail: string, errors?: FieldError[]): void {
  res
    .status(HTTP_STATUS[code])
    .type('application/problem+json')
    .json(problemBody(code, detail, currentTraceId(), errors));
}

// Errors thrown by express's body parser carry a `type`; they are client mistakes, not server faults.
const BODY_PARSER: Record<string, { code: ErrorCode; detail: string }> = {
  'entity.too.large': { code: 'payload_too_large', detail: 'the request body is too large' },
  'entity.parse.failed': { code: 'validation_failed', detail: 'the request body is not valid JSON' },
  'encoding.unsupported': { code: 'unsupported_media_type', detail: 'unsupported content encoding' },
  'charset.unsupported': { code: 'unsupported_media_type', detail: 'unsupported charset' },
};

/** A database or broker that does not answer is a 503 the client may retry, not a 500. */
function isUnavailable(err: unknown): boolean {
  return isDatabaseUnavailable(err) || (err as { code?: string })?.code === 'broker_unavailable';
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof AppError) {
      if (err.headers) res.set(err.headers);
      return sendProblem(res, err.code, err.message, err.errors);
    }
    const parser = BODY_PARSER[(err as { type?: string }).type ?? ''];
    if (parser) return sendProblem(res, parser.code, parser.detail);
    // The router could not decode a path parameter (e.g. %ED%A0%80, a surrogate in UTF-8): the client's mistake.
    if (err instanceof URIError)
      return sendProblem(res, 'validation_failed', 'the path is not valid percent-encoded UTF-8', [
        { field: 'path', message: 'is not valid percent-encoded UTF-8' },
      ]);
    if (isUnavailable(err)) {
      logger.warn({ err }, 'dependency unavailable');
      res.set('Retry-After', '5');
      return sendProblem(res, 'unavailable', 'a dependency is temporarily unavailable; retry shortly');
    }
    logger.error({ err }, 'unhandled error');
    return sendProblem(res, 'internal', 'an unexpected error occurred');
  };
}
