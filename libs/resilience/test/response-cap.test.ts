import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { gzipBomb } from '@pressroom/test-support';
import { classifyHttpError, createHttpClient, fetchLimited, responseLimit } from '../src/index.ts';

const MiB = 1 << 20;
const codeOf = (err: unknown) => classifyHttpError(err, 'test').code;

/** Bytes the process holds outside the code: the JS heap plus Buffers (where an inflated body would land). */
const heldBytes = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

describe('every response body is capped after decompression', () => {
  const bomb = gzipBomb(300);
  let server: Server;
  let base: string;
  let sent = 0;

  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path.startsWith('/bomb')) {
        const status = path === '/bomb-500' ? 500 : 200;
        res.writeHead(status, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length });
        res.on('finish', () => (sent += bomb.length));
        return res.end(bomb);
      }
      if (path === '/plain-big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('y'.repeat(200_000));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ ok: true }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when the fixture is inflated, then it really is 300 MiB (counted, not kept)', async () => {
    const { createGunzip } = await import('node:zlib');
    const gunzip = createGunzip();
    let inflated = 0;
    gunzip.on('data', (chunk: Buffer) => (inflated += chunk.length));
    gunzip.end(bomb);
    await once(gunzip, 'end');
    assert.equal(inflated, 300 * MiB);
    assert.ok(bomb.length < 400_000, `the bomb is ${bomb.length} bytes on the wire`);
  });

  it('when a gzip answer inflates to 300 MiB, then json, text, an error body and a stream are refused with response_too_large and memory stays flat', async () => {
    const client = createHttpClient({ timeoutMs: 10_000, allowPrivateTargets: true, maxResponseBytes: MiB });
    const before = heldBytes();
    let peak = before;
    const sample = setInterval(() => (peak = Math.max(peak, heldBytes())), 5);
    try {
      await assert.rejects(client.get(`${base}/bomb`).json(), (err) => codeOf(err) === 'response_too_large');
      await assert.rejects(client.get(`${base}/bomb`).text(), (err) => codeOf(err) === 'response_too_large');
      await assert.rejects(client.post(`${base}/bomb-500`, { json: { q: 1 } }).text(), (err) => codeOf(err) === 'response_too_large');
      await assert.rejects(fetchLimited(client, `${base}/bomb`, 2 * MiB), (err) => codeOf(err) === 'response_too_large');
    } finally {
      clearInterval(sample);
    }
    peak = Math.max(peak, heldBytes());
    const grewMiB = (peak - before) / MiB;
    assert.ok(grewMiB < 48, `memory grew by ${grewMiB.toFixed(1)} MiB while refusing four 300 MiB answers`);
    const err = await client
      .get(`${base}/bomb`)
      .json()
      .catch((e: unknown) => classifyHttpError(e, 'search'));
    assert.equal((err as { transient?: boolean }).transient, false, 'refused for good: the same request gets the same answer');
    assert.match((err as Error).message, /answered more than 1048576 bytes/);
  });

  it('when a plain answer is longer than the cap, then it is refused; when it fits, it is read whole', async () => {
    const client = createHttpClient({ timeoutMs: 5000, allowPrivateTargets: true, maxResponseBytes: 100_000 });
    await assert.rejects(client.get(`${base}/plain-big`).text(), (err) => codeOf(err) === 'response_too_large');
    assert.deepEqual(await client.get(`${base}/small`).json(), { ok: true });
    const raised = await client.get(`${base}/plain-big`, { context: responseLimit(200_000) }).text();
    assert.equal(raised.length, 200_000, 'a call may set its own limit; exactly the limit is allowed');
    const page = await fetchLimited(client, `${base}/plain-big`, 200_000);
    assert.equal(page.body.length, 200_000);
    assert.equal(page.contentType, 'text/plain');
  });
});
