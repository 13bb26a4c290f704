// `watch`'s side of the API: the request's Server-Sent Events stream, read with fetch (an Authorization header,
// which EventSource cannot send), resumed with Last-Event-ID when the connection drops.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, CliError } from './api-client.ts';

export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** Yields the request's events until the server ends the stream after a final status; reconnects up to 5 times in a row. */
export async function* followEvents(baseUrl: string, token: string | undefined, requestId: string, signal: AbortSignal): AsyncGenerator<StreamEvent> {
  const path = `/v1/requests/${encodeURIComponent(requestId)}/events`;
  let lastId: string | undefined;
  for (let failures = 0; ;) {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
    } catch (err) {
      if (signal.aborted) return;
      if (++failures > 5) throw new CliError(`cannot reach the gateway at ${baseUrl} (${(err as Error).message})`);
      await sleep(500 * failures);
      continue;
    }
    if (!res.ok) throw new ApiError('GET', path, res.status, (await res.json().catch(() => undefined)) as ConstructorParameters<typeof ApiError>[3]);
    let ended = true;
    try {
      for await (const e of parse(res.body!)) {
        failures = 0;
        lastId = e.id ?? lastId;
        yield e;
      }
    } catch {
      if (signal.aborted) return;
      ended = false;
    }
    // The server ends the stream only after a final status; any other end is a dropped connection.
    if (ended) return;
    if (++failures > 5) throw new CliError('the event stream keeps dropping; follow the request with `pressroom status`');
    await sleep(500 * failures);
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
