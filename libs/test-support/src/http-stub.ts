import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (Date.now()), for tests of pacing and concurrency. */
  receivedAt: number;
  json(): unknown;
}

export interface StubReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs?: number;
}

/**
 * A real HTTP server standing in for an external provider (LLM, search, webhook, WordPress): it records
 * exactly what the production client sent and answers with whatever the test scripts.
 */
export async function startHttpStub(reply: (req: RecordedRequest) => StubReply | Promise<StubReply>) {
  const requests: RecordedRequest[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://stub');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      body,
      receivedAt: Date.now(),
      json: () => JSON.parse(body),
    };
    requests.push(recorded);
    for (const w of waiters.filter((w) => requests.length >= w.n)) w.resolve();
    const r = await reply(recorded);
    if (r.delayMs) await new Promise((done) => setTimeout(done, r.delayMs));
    if (res.destroyed) return;
    const isText = typeof r.body === 'string';
    // A Buffer goes out as-is (a page in another charset, a gzip body), typed by the reply's own headers.
    if (Buffer.isBuffer(r.body)) {
      res.writeHead(r.status ?? 200, { 'content-type': 'application/octet-stream', ...r.headers });
      res.end(r.body);
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': isText ? 'text/html; charset=utf-8' : 'application/json', ...r.headers });
    res.end(r.body === undefined ? '' : isText ? (r.body as string) : JSON.stringify(r.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Resolves once `n` requests have arrived (or rejects after `timeoutMs`). */
    waitFor(n: number, timeoutMs = 10_000): Promise<void> {
      if (requests.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`stub got ${requests.length} of ${n} requests in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type HttpStub = Awaited<ReturnType<typeof startHttpStub>>;
