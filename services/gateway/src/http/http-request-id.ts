import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { trace } from '@opentelemetry/api';
import { withLogContext } from '@pressroom/logger';

const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const httpRequestIdFor = (given: string | undefined): string => (given && SANE_ID.test(given) ? given : randomUUID());

/** Echoes a client's X-Request-Id when it is a sane token, else makes one; every log line of the call carries it. */
export function httpRequestId(): RequestHandler {
  return (req, res, next) => {
    const id = httpRequestIdFor(req.get('x-request-id'));
    res.locals['httpRequestId'] = id;
    res.set('X-Request-Id', id);
    trace.getActiveSpan()?.setAttribute('http.request_id', id);
    withLogContext({ http_request_id: id }, next);
  };
}
