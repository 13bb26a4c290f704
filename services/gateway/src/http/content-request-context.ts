import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { trace } from '@opentelemetry/api';
import { addLogContext, withLogContext } from '@pressroom/logger';
import { tagServerSpan } from '@pressroom/telemetry';
import { normalizeUrlPath } from './normalize-path.ts';

const SUBMIT = /^\/v1\/requests\/?$/i;
const ONE = /^\/v1\/requests\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/**
 * Runs first, so that every span and log line of a call about one content request carries its `request_id`:
 * a submission gets its id here, before authentication and the database work; a read takes it from the path.
 */
export function contentRequestContext(): RequestHandler {
  return (req, res, next) => {
    const path = normalizeUrlPath(req.url.split('?', 1)[0] ?? '');
    let requestId: string | undefined;
    if (req.method === 'POST' && SUBMIT.test(path)) {
      requestId = randomUUID();
      res.locals['newRequestId'] = requestId;
    } else if (req.method === 'GET') requestId = ONE.exec(path)?.[1]?.toLowerCase();
    if (!requestId) return next();
    tagRequest(req, requestId);
    withLogContext({ request_id: requestId }, next);
  };
}

/** Re-points the call at another content request (an idempotent replay returns the first one). */
export function retagRequest(req: object, requestId: string): void {
  addLogContext({ request_id: requestId });
  tagRequest(req, requestId);
}

function tagRequest(req: object, requestId: string): void {
  trace.getActiveSpan()?.setAttribute('request_id', requestId);
  tagServerSpan(req, { request_id: requestId });
}
