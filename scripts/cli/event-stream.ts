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
// What a gateway restarting (or a proxy in front of one) answers for a moment: wait and reconnect, as a deploy passes.
const PASSING = new Set([502, 503, 504]);
const MAX_FAILURES_IN_A_ROW = 5;

/**
 * Yields the request's events until one is a final status; reconnects with Last-Event-ID when the connection
 * drops or the gateway ends the stream early (a replica shutting down ends its streams), and waits out a 502,
 * 503 or 504 (its Retry-After, at most 10 s). Gives up after 5 failures in a row.
 */
export async function* followEvents(baseUrl: string, token: string | undefined, requestId: string, signal: AbortSignal): AsyncGenerator<StreamEvent> {
  const path = `/v1/requests/${encodeURIComponent(requestId)}/events`;
  let lastId: string | undefined;
  let reached = false;
  for (let failures = 0; ;) {
    let wait = 500 * (failures + 1);
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
      reached = true;
      const problem = res.ok ? undefined : ((await res.json().catch(() => undefined)) as ConstructorParameters<typeof ApiError>[3]);
      if (!res.ok && !PASSING.has(res.status)) throw new ApiError('GET', path, res.status, problem);
      if (!res.ok) {
        wait = Math.min(10_000, Math.max(wait, Number(res.headers.get('retry-after')) * 1000 || 0));
        if (failures + 1 > MAX_FAILURES_IN_A_ROW) throw new ApiError('GET', path, res.status, problem);
      } else {
        for await (const e of parse(res.body!)) {
          failures = 0;
          lastId = e.id ?? lastId;
          yield e;
          if (e.event === 'request.status' && FINAL.has(String(e.data['status']))) return;
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError) throw err;
      if (failures + 1 > MAX_FAILURES_IN_A_ROW)
        throw new CliError(
          reached
            ? 'the event stream keeps dropping; follow the request with `pressroom status`'
            : `cannot reach the gateway at ${baseUrl} (${(err as Error).message})`,
        );
    }
    failures++;
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
      if (event) yield { id, event, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
    }
  }
}
