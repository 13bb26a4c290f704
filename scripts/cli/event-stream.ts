// `watch`'s side of the API: the request's Server-Sent Events stream, read with fetch (an Authorization header,
// which EventSource cannot send), resumed with Last-Event-ID when the connection drops.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, CliError } from './api-client.ts';

export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

const FINAL = new Set(['published', 'failed', 'cancelled']);
// What a gateway restarting (or a proxy in front of one) answers for a moment, and a stream refused while the user
// has MAX_STREAMS_PER_USER open: wait (Retry-After, at most 10 s) and reconnect.
const PASSING = new Set([429, 502, 503, 504]);
const MAX_FAILURES_IN_A_ROW = 5;
const MAX_WAIT_MS = 10_000;

/**
 * Yields the request's events until the gateway ends the stream after a final status; reconnects with
 * Last-Event-ID when the connection drops or the stream ends on anything else (a replica shutting down ends its
 * streams), and waits out a 429, 502, 503 or 504. A final status is the end only once nothing follows it: a
 * replayed dead letter reopens a failed request, and its log goes on. Gives up after 5 failures in a row (a
 * connection that brings no event is one).
 */
export async function* followEvents(baseUrl: string, token: string | undefined, requestId: string, signal: AbortSignal): AsyncGenerator<StreamEvent> {
  const path = `/v1/requests/${encodeURIComponent(requestId)}/events`;
  let lastId: string | undefined;
  let lastStatus: string | undefined;
  let reached = false;
  for (let failures = 0; ;) {
    let wait = Math.min(MAX_WAIT_MS, 500 * (failures + 1));
    let cause = 'the event stream keeps dropping; follow the request with `pressroom status`';
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
      reached = true;
      const problem = res.ok ? undefined : ((await res.json().catch(() => undefined)) as ConstructorParameters<typeof ApiError>[3]);
      if (!res.ok && (!PASSING.has(res.status) || failures + 1 > MAX_FAILURES_IN_A_ROW)) throw new ApiError('GET', path, res.status, problem);
      if (!res.ok) wait = Math.min(MAX_WAIT_MS, Math.max(wait, Number(res.headers.get('retry-after')) * 1000 || 0));
      else {
        for await (const e of parse(res.body!)) {
          failures = 0;
          lastId = e.id ?? lastId;
          if (e.event === 'request.status') lastStatus = String(e.data['status']);
          yield e;
        }
        // The gateway ends the stream after a final status that nothing follows; any other end is a drop.
        if (lastStatus !== undefined && FINAL.has(lastStatus)) return;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof CliError) throw err;
      if (!reached) cause = `cannot reach the gateway at ${baseUrl} (${(err as Error).message})`;
    }
    if (++failures > MAX_FAILURES_IN_A_ROW) throw new CliError(cause);
    await sleep(wait, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return;
  }
}

async function* parse(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let id: string | undefined;
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (!event) continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(data.join('\n')) as Record<string, unknown>;
      } catch {
        throw new CliError(`the gateway sent a ${event} event whose data is not JSON`);
      }
      yield { id, event, data: parsed };
    }
  }
}
