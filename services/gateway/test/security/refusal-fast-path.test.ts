import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { closeServer } from '@pressroom/runtime';
import { SERVER_TIMEOUTS, startGateway, type RunningGateway } from '../../src/gateway.ts';
import { captureLogs, createApiClient, startTestGateway } from '../support/gateway-harness.ts';

let n = 1;
const freshIp = () => `198.51.100.${n++}`;
const from = (ip: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...extra });
const remaining = (header: string | null) => Number(/"ip"; r=(\d+)/.exec(header ?? '')?.[1] ?? NaN);
// Headers that differ between any two answers: the clock, the body's hash (its trace_id), the count left.
const VARYING = new Set(['date', 'etag', 'ratelimit', 'content-length']);
const stableHeaders = (h: Headers) => Object.fromEntries([...h].filter(([k]) => !VARYING.has(k)));

describe('refusal fast path: calls without a usable credential refused before express', () => {
  const logs = captureLogs('info');
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let expressOnly: Server;
  let viaExpress: ReturnType<typeof createApiClient>;
  before(async () => {
    h = await startTestGateway({ TRUST_PROXY_HOPS: '1', RATE_LIMIT_IP_PER_HOUR: '3' }, 'secfp', { logger: logs.logger });
    // The same app (same deps, same IP budget) without the fast path in front: what express answers.
    expressOnly = Object.assign(createServer(h.gateway.app), SERVER_TIMEOUTS).listen(0, '127.0.0.1');
    await once(expressOnly, 'listening');
    const address = expressOnly.address();
    viaExpress = createApiClient(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
  });
  after(async () => {
    await closeServer(expressOnly);
    await h.close();
  });

  const accessLogged = (requestId: string) => logs.records().some((r) => r['msg'] === 'http request' && r['http_request_id'] === requestId);

  for (const [label, method, path, headers] of [
    ['no Authorization', 'POST', '/v1/requests', {}],
    ['a malformed Authorization', 'GET', '/v1/me', { authorization: 'Basic dXNlcjpwYXNz' }],
  ] as const) {
    it(`when a guarded route is called with ${label}, then the 401 has the same status, body and headers as express's answer`, async () => {
      const ip = freshIp();
      const call = (api: typeof viaExpress, id: string) =>
        api.call(method, path, { headers: from(ip, { ...headers, 'x-request-id': id }), ...(method === 'POST' ? { body: { topic: 'honeybees' } } : {}) });
      const slow = await call(viaExpress, 'express-path-0001');
      const fast = await call(h.api, 'express-path-0001'.replace('express', 'fastpath'));
      assert.equal(fast.status, 401);
      assert.equal(slow.status, 401);
      assert.deepEqual({ ...fast.body, trace_id: null }, { ...slow.body, trace_id: null });
      assert.equal(typeof fast.body.trace_id, typeof slow.body.trace_id, 'a trace id where express gives one');
      assert.deepEqual({ ...stableHeaders(fast.headers), 'x-request-id': '' }, { ...stableHeaders(slow.headers), 'x-request-id': '' });
      assert.equal(fast.headers.get('x-request-id'), 'fastpath-path-0001', 'a sane client id is echoed');
      assert.equal(fast.headers.get('www-authenticate'), 'Bearer');
      assert.deepEqual([remaining(slow.headers.get('ratelimit')), remaining(fast.headers.get('ratelimit'))], [2, 1], 'both count against one budget');
      assert.ok(accessLogged('express-path-0001') && !accessLogged('fastpath-path-0001'), 'the second answer came from the fast path');
    });
  }

  it('when a burst without credentials from one address exceeds RATE_LIMIT_IP_PER_HOUR, then exactly the limit is 401 and the rest 429 rate_limited', async () => {
    const ip = freshIp();
    const answers = await Promise.all(Array.from({ length: 12 }, () => h.api.call('GET', '/v1/me', { headers: from(ip) })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [...Array(3).fill(401), ...Array(9).fill(429)]);
    const limited = answers.find((a) => a.status === 429)!;
    assert.equal(limited.body.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal(remaining(limited.headers.get('ratelimit')), 0);
    assert.match(limited.headers.get('ratelimit-policy') ?? '', /^"ip"; q=3; w=3600; pk=:/);
    const metrics = await h.ops.call('GET', '/metrics');
    assert.match(metrics.body, /pressroom_rate_limited_total\{[^}]*limiter="ip"[^}]*\} [1-9]/);
  });

  it('when a second gateway shares the Redis prefix, then both draw on one IP budget and both refuse once it is spent', async () => {
    let other: RunningGateway | undefined;
    try {
      other = await startGateway(h.config, { port: 0, opsPort: 0, logger: captureLogs('error').logger });
      const apis = [h.api, createApiClient(`http://127.0.0.1:${other.port}`)];
      const ip = freshIp();
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) seen.push(remaining((await apis[i % 2]!.call('GET', '/v1/me', { headers: from(ip) })).headers.get('ratelimit')));
      assert.deepEqual(seen, [2, 1, 0]);
      for (const api of apis) assert.equal((await api.call('GET', '/v1/me', { headers: from(ip) })).status, 429);
    } finally {
      await other?.shutdown.shutdown();
    }
  });

  it('when a call carries a well-formed token, an API key, a stream ticket or an Origin, then express answers it', async () => {
    const ip = freshIp();
    const ids = ['express-jwt-0001', 'express-key-0001', 'express-ticket-01', 'express-origin-01'];
    await h.api.call('GET', '/v1/me', { headers: from(ip, { authorization: 'Bearer a.b.c', 'x-request-id': ids[0]! }) });
    await h.api.call('GET', '/v1/me', { headers: from(ip, { authorization: 'Bearer prs_nonsense', 'x-request-id': ids[1]! }) });
    await h.api.call('GET', '/v1/requests/00000000-0000-4000-8000-000000000000/events?ticket=x', { headers: from(ip, { 'x-request-id': ids[2]! }) });
    await h.api.call('GET', '/v1/me', { headers: from(ip, { origin: 'https://elsewhere.example', 'x-request-id': ids[3]! }) });
    for (const id of ids) assert.ok(accessLogged(id), id);
  });
});
