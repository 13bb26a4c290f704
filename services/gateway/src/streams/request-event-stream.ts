import { AsyncResource } from 'node:async_hooks';
import type { Response } from 'express';
import { AppError, isFinalStatus } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import { tagContentRequest } from '@pressroom/telemetry';
import type { Db } from '../db/pool.ts';
import { findRequest } from '../requests/request-repository.ts';
import { requestOwnerScope, type Principal } from '../http/authenticate.ts';
import { eventsAfter, type LoggedEvent } from './event-log.ts';
import type { RequestChangeBus } from './request-change-bus.ts';
import type { OpenStreams } from './open-streams.ts';
import type { StreamSlots } from './stream-slots.ts';

const DRAIN_WAIT_MS = 1000;

/** Resolves true once `res` drains, false if it has not within `ms` or the connection closed first. */
function drained(res: Response, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

export interface EventStreamDeps {
  db: Db;
  bus: RequestChangeBus;
  slots: StreamSlots;
  open: OpenStreams;
  /** Whether the credential that opened the stream still holds (asked on each heartbeat). */
  stillAllowed(principal: Principal): Promise<boolean>;
  logger: Logger;
  heartbeatMs: number;
  maxBufferBytes: number;
}

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // nginx and similar proxies buffer responses unless told not to.
  'X-Accel-Buffering': 'no',
};

/**
 * One SSE connection following one request (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * The stream is a cursor over the request's event log: it sends what follows `Last-Event-ID` from PostgreSQL,
 * then re-reads whenever any replica reports a change (and on every heartbeat, in case a notification was
 * lost), so a reconnect to any replica misses nothing. It ends after a final status that is the log's last event (a
 * replayed dead letter reopens a failed request, and its log goes on). Sending follows the socket:
 * once what waits in it passes `maxBufferBytes`, this stream stops reading the log until the client drains it; a
 * client that has not drained within DRAIN_WAIT_MS is not reading, and is dropped (it may reconnect with
 * Last-Event-ID). A burst of events to a slow but reading client is paced, not dropped; the others never wait.
 */
export async function streamRequestEvents(
  deps: EventStreamDeps,
  res: Response,
  principal: Principal,
  requestId: string,
  lastEventId: number,
  // HEAD: the answer's headers, as GET would send them, and no stream (nor a stream slot).
  headOnly = false,
): Promise<void> {
  const request = await findRequest(deps.db, requestId, requestOwnerScope(principal));
  if (!request) throw new AppError('not_found', `no content request ${requestId}`);
  // Found in Jaeger and the logs by the request it follows, like a read of it.
  tagContentRequest(requestId);
  if (headOnly) return void res.writeHead(200, STREAM_HEADERS).end();
  const slot = await deps.slots.acquire(principal.userId);
  // The client may have left during those two awaits: its 'close' has passed, so nothing else would free the slot.
  if (res.destroyed) return void slot.release();

  res.writeHead(200, STREAM_HEADERS);
  res.write(`retry: 2000\n\n`);

  let last = lastEventId;
  let closed = false;
  let reading: Promise<void> | undefined;
  let again = false;
  // Whether the log, as far as this stream has read it, ends in a final status (before any read: the row's status).
  let atFinal = isFinalStatus(request.status);
  // Set once the stream is registered for shutdown (below, when everything close() touches exists).
  let forget = () => {};

  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unlisten();
    forget();
    void slot.release();
  };
  const finish = () => {
    close();
    res.end();
  };
  // At shutdown: end the response and the connection (a kept-alive socket would hold the server's close).
  const endForShutdown = () => {
    // Taken first: a finished response lets go of its socket. Destroyed once written, not just ended: a client's
    // pool may keep a half-closed socket for seconds. A client that is not reading never takes the rest: at once.
    const socket = res.socket;
    const unsent = res.writableLength > 0;
    finish();
    if (unsent) res.destroy();
    else res.once('finish', () => socket?.destroySoon());
  };

  const send = async (e: LoggedEvent): Promise<boolean> => {
    res.write(`id: ${e.seq}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    last = e.seq;
    if (res.writableLength <= deps.maxBufferBytes) return true;
    if (await drained(res, DRAIN_WAIT_MS)) return !closed;
    if (!closed) deps.logger.warn({ request_id: requestId, buffered_bytes: res.writableLength }, 'event stream client is not reading; dropped');
    close();
    res.destroy();
    return false;
  };

  const readOnce = async () => {
    const events = await eventsAfter(deps.db, requestId, last);
    for (const e of events) {
      if (closed || !(await send(e))) return;
      if (e.event === 'request.status') atFinal = isFinalStatus(String(e.data['status']));
    }
    // A final status ends the stream once nothing follows it: a replayed dead letter may have reopened the request.
    if (atFinal) finish();
  };

  // One read at a time; a change reported meanwhile is read right after, so none is missed and none doubled.
  const pump = () => {
    if (closed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = readOnce()
      .catch((err: unknown) => deps.logger.warn({ err, request_id: requestId }, 'event stream read failed; retrying on the next change or heartbeat'))
      .finally(() => {
        reading = undefined;
        if (again) {
          again = false;
          pump();
        }
      });
  };

  // The bus calls from its subscriber's context (made at start-up): bound, a read it starts is this stream's.
  const unlisten = deps.bus.listen(requestId, AsyncResource.bind(pump));
  const heartbeat = setInterval(() => {
    if (closed) return;
    res.write(': heartbeat\n\n');
    void slot.renew();
    pump();
    // An error asking is not a revocation: the stream goes on, and the next heartbeat asks again.
    deps.stillAllowed(principal).then(
      (allowed) => {
        if (allowed || closed) return;
        deps.logger.info({ request_id: requestId }, 'event stream ended: its session or API key no longer holds');
        finish();
      },
      () => undefined,
    );
  }, deps.heartbeatMs);
  res.on('close', close);
  // Registered last, so that ending it at once (a shutdown already under way) finds everything to close.
  forget = deps.open.add(endForShutdown);
  pump();
}
