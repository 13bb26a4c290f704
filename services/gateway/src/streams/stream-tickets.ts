import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from '@pressroom/cache';
import { AppError } from '@pressroom/contracts';
import type { Principal } from '../http/authenticate.ts';

const TICKET_TTL_S = 60;

interface TicketGrant {
  principal: Principal;
  request_id: string;
}

const keyOf = (ticket: string) => `stream-ticket:${createHash('sha256').update(ticket).digest('base64url')}`;

/**
 * Single-use tickets for `EventSource`, which cannot send an Authorization header: a long-lived token must never
 * sit in a URL (logs, history, Referer). A ticket names one request, lives 60 s and is spent by the first
 * connection (GETDEL). Only its hash is a Redis key, so a key listing shows no usable ticket.
 */
export async function issueStreamTicket(redis: Redis, principal: Principal, requestId: string): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = randomBytes(24).toString('base64url');
  const grant: TicketGrant = { principal, request_id: requestId };
  try {
    await redis.set(keyOf(ticket), JSON.stringify(grant), 'EX', TICKET_TTL_S);
  } catch (err) {
    throw new AppError('unavailable', 'stream tickets are unavailable right now; retry, or stream with an Authorization header', {
      cause: err,
      headers: { 'Retry-After': '5' },
    });
  }
  return { ticket, expiresAt: new Date(Date.now() + TICKET_TTL_S * 1000) };
}

/** The ticket's principal, once; a spent, expired, unknown or other request's ticket is 401. */
export async function redeemStreamTicket(redis: Redis, ticket: string, requestId: string): Promise<Principal> {
  let raw: string | null;
  try {
    raw = await redis.getdel(keyOf(ticket));
  } catch (err) {
    throw new AppError('unavailable', 'stream tickets are unavailable right now; retry, or stream with an Authorization header', {
      cause: err,
      headers: { 'Retry-After': '5' },
    });
  }
  const grant = raw ? (JSON.parse(raw) as TicketGrant) : undefined;
  if (!grant || grant.request_id !== requestId)
    throw new AppError('unauthorized', 'the stream ticket is spent, expired or for another request', {
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  return grant.principal;
}
