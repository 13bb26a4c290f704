import { Router, type RequestHandler } from 'express';
import { AppError, EmptyBody, EmptyQuery, IdParams, RequestEventsQuery, StreamTicketBody } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { admitPrincipal, principalOf, requestOwnerScope, type Principal } from '../http/authenticate.ts';
import { apiKeyHolds } from '../api-keys/api-keys.ts';
import { sessionHolds } from '../auth/session-checks.ts';
import type { Guards } from '../http/guards.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import { cancelRequest } from '../requests/cancel-request.ts';
import { findRequest } from '../requests/request-repository.ts';
import { streamRequestEvents } from './request-event-stream.ts';
import { createStreamSlots } from './stream-slots.ts';
import { issueStreamTicket, redeemStreamTicket } from './stream-tickets.ts';

const LAST_EVENT_ID = /^\d{1,9}$/;

/** Following a request: its event stream, the tickets `EventSource` needs, and cancelling it. */
export function streamRoutes(deps: GatewayDeps, guards: Guards): Router {
  const router = Router();
  const slots = createStreamSlots({ redis: deps.redis, maxPerUser: deps.config.MAX_STREAMS_PER_USER, leaseMs: deps.config.STREAM_HEARTBEAT_MS * 3 });
  const streamDeps = {
    db: deps.db,
    bus: deps.changes,
    slots,
    open: deps.streams,
    // Asked again on every heartbeat: a logout, a revoked key or a disabled user ends the stream too.
    stillAllowed: (p: Principal) =>
      p.apiKey
        ? apiKeyHolds(deps.db, p.apiKey.id)
        : deps.sessions
            .check(p.sessionId, p.userId)
            // A changed role too: an admin's stream of another user's request must not outlive the admin role.
            .then((s) => sessionHolds(s) && s.role === p.role),
    logger: deps.logger,
    heartbeatMs: deps.config.STREAM_HEARTBEAT_MS,
    maxBufferBytes: deps.config.STREAM_MAX_BUFFER_BYTES,
  };

  const follow: RequestHandler = async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    const query = parseQuery(RequestEventsQuery, req.query);
    // The header when there is one: EventSource sets it on its own reconnects.
    const lastEventId = req.get('last-event-id') ?? query.last_event_id;
    if (lastEventId !== undefined && !LAST_EVENT_ID.test(lastEventId))
      throw new AppError('validation_failed', 'Last-Event-ID must be an event id this stream sent', {
        errors: [{ field: 'Last-Event-ID', message: 'is not an event id' }],
      });
    await streamRequestEvents(streamDeps, res, principalOf(req), id, Number(lastEventId ?? 0), req.method === 'HEAD');
  };
  // `?ticket=` (EventSource cannot send headers) is spent here; without one, the Authorization header is checked
  // like on any call. Either way the stream counts against MAX_STREAMS_PER_USER, not the hourly budgets.
  const byTicket: RequestHandler = async (req, res, next) => {
    const { ticket } = parseQuery(RequestEventsQuery, req.query);
    if (ticket === undefined) return next('route');
    const { id } = parseParams(IdParams, req.params);
    let principal: Principal;
    try {
      principal = await redeemStreamTicket(deps.redis, ticket, id);
      // The ticket was issued up to a minute ago: the session or key behind it must still hold now, as on any
      // call (a stream of a finished request would send its whole history before the first heartbeat's check).
      if (!(await streamDeps.stillAllowed(principal))) throw new AppError('unauthorized', 'the session or API key behind this ticket has ended');
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthorized') return guards.refuse(err)(req, res, next);
      throw err;
    }
    admitPrincipal(res, principal);
    return next();
  };
  router.get('/v1/requests/:id/events', byTicket, follow);
  router.get('/v1/requests/:id/events', ...guards.authenticated, follow);

  router.post('/v1/stream-tickets', ...guards.user, async (req, res) => {
    parseQuery(EmptyQuery, req.query);
    const { request_id: requestId } = parseBody(StreamTicketBody, req.body);
    const principal = principalOf(req);
    if (!(await findRequest(deps.db, requestId, requestOwnerScope(principal)))) throw new AppError('not_found', `no content request ${requestId}`);
    const { ticket, expiresAt } = await issueStreamTicket(deps.redis, principal, requestId);
    res.set('Cache-Control', 'no-store');
    res.status(201).json({ ticket, expires_at: expiresAt.toISOString(), events_url: `/v1/requests/${requestId}/events?ticket=${ticket}` });
  });

  router.post('/v1/requests/:id/cancel', ...guards.user, async (req, res) => {
    const { id } = parseParams(IdParams, req.params);
    parseQuery(EmptyQuery, req.query);
    parseBody(EmptyBody, req.body);
    res.status(202).json(await cancelRequest(deps, principalOf(req), id));
  });
  return router;
}
