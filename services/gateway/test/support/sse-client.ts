export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

/**
 * A test client for text/event-stream over fetch: keeps every event and comment, and lets a test await the
 * one it wants (never a fixed sleep). `close()` disconnects like a client that goes away.
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  let ended = false;
  const body = res.headers.get('content-type')?.startsWith('text/event-stream') ? res.body : null;
  const text = body ? '' : await res.text();
  const done = (async () => {
    if (!body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const e: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.dataLines.push(line.slice(6));
          }
          if (e.event) events.push({ ...(e.id ? { id: e.id } : {}), event: e.event, data: JSON.parse(e.dataLines.join('\n')) });
          wake();
        }
      }
    } catch {
      // aborted by close(), or dropped by the server
    } finally {
      ended = true;
      wake();
    }
  })();

  function waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(events.map((e) => e.event))}`));
      }, timeoutMs);
      const test = () => {
        const found = check();
        if (found !== undefined) {
          clearTimeout(timer);
          waiters.delete(test);
          resolve(found);
        } else if (ended) {
          clearTimeout(timer);
          waiters.delete(test);
          reject(new Error(`stream ended before ${what}; got ${JSON.stringify(events.map((e) => e.event))}`));
        }
      };
      waiters.add(test);
      test();
    });
  }

  return {
    status: res.status,
    headers: res.headers,
    /** The problem body of a refused stream. */
    problem: text ? JSON.parse(text) : undefined,
    events,
    comments,
    event: (predicate: (e: SseEvent) => boolean, what = 'an event') => waitFor(() => events.find(predicate), what),
    comment: (what = 'a comment') => waitFor(() => (comments.length > 0 ? comments[0] : undefined), what),
    /** Resolves once the server ends the stream. */
    ended: () => done.then(() => events),
    get isEnded() {
      return ended;
    },
    close() {
      abort.abort();
      return done;
    },
  };
}
