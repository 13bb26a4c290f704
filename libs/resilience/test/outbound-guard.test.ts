import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { LookupAddress } from 'node:dns';
import { assertAllowedUrl, classifyHttpError, createHttpClient, fetchLimited, guardedLookup, isAllowedAddress } from '../src/index.ts';

/** A local HTTP server on a chosen loopback address; every 127/8 address is local on Linux. */
async function serve(host: string, handler: (path: string, res: ServerResponse) => void) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '/');
    handler(req.url ?? '/', res);
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://${host}:${port}`, port, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const redirect = (res: ServerResponse, location: string) => res.writeHead(302, { location }).end();
const codeOf = (err: unknown) => classifyHttpError(err, 'test').code;

describe('API7:2023 Server Side Request Forgery: outbound-call guard', () => {
  it('when a URL is not http(s) or carries credentials, then it is refused before any connection', () => {
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'gopher://example.com/', 'data:text/plain,hi', 'ws://example.com/'])
      assert.throws(() => assertAllowedUrl(new URL(url), false), { code: 'target_forbidden' }, url);
    assert.throws(() => assertAllowedUrl(new URL('https://user:pw@example.com/'), false), { code: 'target_forbidden' });
    assert.doesNotThrow(() => assertAllowedUrl(new URL('https://example.com/x'), false));
    assert.doesNotThrow(() => assertAllowedUrl(new URL('http://93.184.215.14/'), false));
  });

  it('when an address is private, loopback, link-local, CGNAT, metadata or IPv4-mapped, then it is refused', () => {
    const refused = [
      '127.0.0.1',
      '127.255.255.254',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '0.0.0.0',
      '169.254.0.1',
      '169.254.169.254', // cloud metadata (AWS, GCP, Azure)
      '100.64.0.1',
      '100.127.255.254', // CGNAT 100.64/10
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'fd00:ec2::254', // AWS metadata over IPv6
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:7f00:1',
      '[::ffff:127.0.0.1]',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '::ffff:10.0.0.1',
      '::127.0.0.1', // IPv4-compatible (deprecated)
      '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
      '2002:7f00:1::1', // 6to4 of 127.0.0.1
      'not-an-ip',
      '',
    ];
    for (const a of refused) assert.equal(isAllowedAddress(a, false), false, `${a} must be refused`);
    for (const a of ['93.184.215.14', '8.8.8.8', '1.1.1.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '::ffff:808:808'])
      assert.equal(isAllowedAddress(a, false), true, `${a} must be allowed`);
  });

  it('when ALLOW_PRIVATE_TARGETS is true, then loopback is reachable; otherwise a loopback name or literal is refused and never contacted', async () => {
    const target = await serve('127.0.0.1', (_p, res) => res.end('hello'));
    try {
      const open = createHttpClient({ timeoutMs: 2000, allowPrivateTargets: true });
      assert.equal(await open.get(`${target.url}/`).text(), 'hello');
      const guarded = createHttpClient({ timeoutMs: 2000, allowPrivateTargets: false });
      for (const url of [`${target.url}/`, `http://localhost:${target.port}/`, `http://[::ffff:127.0.0.1]:${target.port}/`]) {
        await assert.rejects(guarded.get(url).text(), (err) => codeOf(err) === 'target_forbidden', url);
      }
      assert.deepEqual(target.hits, ['/'], 'only the allowed client reached the server');
    } finally {
      await target.close();
    }
  });

  it('when a name resolves, then every address is checked, and the socket gets exactly the checked answer', async () => {
    let calls = 0;
    // A rebinding resolver: public on the first answer, loopback on any later one.
    const rebinding = (_h: string, _o: { all: true }, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
      calls++;
      cb(null, [{ address: calls === 1 ? '93.184.215.14' : '127.0.0.1', family: 4 }]);
    };
    const lookup = guardedLookup(false, rebinding);
    const answer = await new Promise<unknown>((resolve, reject) => lookup('rebind.test', { all: true }, (err, a) => (err ? reject(err) : resolve(a))));
    assert.deepEqual(answer, [{ address: '93.184.215.14', family: 4 }]);
    assert.equal(calls, 1, 'one resolution per connection: what was checked is what the socket connects to');

    const mixed = guardedLookup(false, (_h, _o, cb) =>
      cb(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ]),
    );
    await assert.rejects(new Promise((resolve, reject) => mixed('mixed.test', {}, (err, a) => (err ? reject(err) : resolve(a)))), { code: 'target_forbidden' });
  });

  describe('redirects', () => {
    // 127.0.0.2 stands in for a public host: the injected policy allows it and applies the real rules to the rest.
    const publicStandIn = (address: string) => address === '127.0.0.2' || isAllowedAddress(address, false);
    let internal: Awaited<ReturnType<typeof serve>>;
    let edge: Awaited<ReturnType<typeof serve>>;
    before(async () => {
      internal = await serve('127.0.0.1', (_p, res) => res.end('internal secret'));
      edge = await serve('127.0.0.2', (path, res) => {
        if (path === '/to-literal') return redirect(res, `${internal.url}/`);
        if (path === '/to-name') return redirect(res, `http://localhost:${internal.port}/`);
        if (path === '/to-metadata') return redirect(res, 'http://169.254.169.254/latest/meta-data/');
        if (path === '/to-file') return redirect(res, 'file:///etc/passwd');
        if (path === '/hop') return redirect(res, '/final');
        if (path.startsWith('/loop')) return redirect(res, `/loop${path.length}`);
        return res.end('public page');
      });
    });
    after(async () => {
      await internal.close();
      await edge.close();
    });

    it('when a redirect points into a forbidden range or scheme, then it is refused and the target is never contacted', async () => {
      const client = createHttpClient({ timeoutMs: 2000, allowPrivateTargets: false, addressPolicy: publicStandIn });
      for (const path of ['/to-literal', '/to-name', '/to-metadata']) {
        await assert.rejects(client.get(`${edge.url}${path}`).text(), (err) => codeOf(err) === 'target_forbidden', path);
      }
      // got refuses a non-http(s) redirect itself ("Unsupported protocol") before the hook sees it.
      await assert.rejects(client.get(`${edge.url}/to-file`).text(), /protocol/);
      assert.deepEqual(internal.hits, []);
    });

    it("when fetchLimited checks each hop itself (robots.txt), then the client's address guard still refuses a forbidden hop", async () => {
      const client = createHttpClient({ timeoutMs: 2000, allowPrivateTargets: false, addressPolicy: publicStandIn });
      const hops: string[] = [];
      const check = (url: string) => void hops.push(new URL(url).pathname);
      await assert.rejects(fetchLimited(client, `${edge.url}/to-literal`, 1000, {}, check), (err) => codeOf(err) === 'target_forbidden');
      assert.deepEqual(internal.hits, []);
      assert.equal((await fetchLimited(client, `${edge.url}/hop`, 1000, {}, check)).body.toString(), 'public page');
      assert.ok(hops.includes('/final'), `the check saw the hop: ${hops.join(', ')}`);
    });

    it('when a redirect stays on allowed targets, then it is followed, but only a bounded number of times', async () => {
      const client = createHttpClient({ timeoutMs: 2000, allowPrivateTargets: false, addressPolicy: publicStandIn, maxRedirects: 3 });
      assert.equal(await client.get(`${edge.url}/hop`).text(), 'public page');
      const before = edge.hits.length;
      await assert.rejects(client.get(`${edge.url}/loop`).text(), (err) => (err as { name?: string }).name === 'MaxRedirectsError');
      assert.equal(edge.hits.length - before, 4, 'the first request and three redirects, then it stops');
    });
  });

  it('when a response is larger than the cap, then fetchLimited refuses it and stops reading', async () => {
    const big = await serve('127.0.0.1', (path, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (path === '/endless') {
        const chunk = 'x'.repeat(16_384);
        const pump = () => {
          while (res.write(chunk));
          res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return pump();
      }
      res.end('y'.repeat(200_000));
    });
    try {
      const client = createHttpClient({ timeoutMs: 5000, allowPrivateTargets: true });
      await assert.rejects(fetchLimited(client, `${big.url}/big`, 10_000), (err) => codeOf(err) === 'response_too_large');
      await assert.rejects(fetchLimited(client, `${big.url}/endless`, 50_000), (err) => codeOf(err) === 'response_too_large');
      const small = await fetchLimited(client, `${big.url}/big`, 1_000_000);
      assert.equal(small.body.length, 200_000);
    } finally {
      await big.close();
    }
  });
});
