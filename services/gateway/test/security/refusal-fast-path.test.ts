import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import jwt from 'jsonwebtoken';
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
/** The same header and claims, signed with another key: only the signature check can refuse it. */
const forge = (token: string) => {
  const [header, payload] = token.split('.');
  return `${header}.${payload}.${createHmac('sha256', randomBytes(32)).update(`${header}.${payload}`).digest('base64url')}`;
};

describe('refusal fast path: calls without a usable credential refused before express', () => {
  const logs = captureLogs('info');
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let expressOnly: Server;
  let viaExpress: ReturnType<typeof createApiClient>;
  let forged = '';
  let expired = '';
  before(async () => {
    h = await startTestGateway({ TRUST_PROXY_HOPS: '1', RATE_LIMIT_IP_PER_HOUR: '3', RATE_LIMIT_USER_PER_HOUR: '2' }, 'secfp', { logger: logs.logger });
    const u = await h.api.registerAndLogin(undefined, undefined, from(freshIp()));
    forged = forge(u.access);
    const claims = jwt.decode(u.access) as Record<string, unknown>;
    expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, h.config.JWT_SECRET ?? '', { algorithm: 'HS256' });
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

  for (const [label, method, path, headers, challenge] of [
    ['no Authorization', 'POST', '/v1/requests', () => ({}), 'Bearer'],
    ['a malformed Authorization', 'GET', '/v1/me', () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 'Bearer'],
    ['a forged token (real claims, another key)', 'POST', '/v1/requests', () => ({ authorization: `Bearer ${forged}` }), 'Bearer error="invalid_token"'],
    ['an expired token signed with the real key', 'GET', '/v1/me', () => ({ authorization: `Bearer ${expired}` }), 'Bearer error="invalid_token"'],
  ] as const) {
    it(`when a guarded route is called with ${label}, then the 401 has the same status, body and headers as express's answer`, async () => {
      const ip = freshIp();
      const call = (api: typeof viaExpress, id: string) =>
        api.call(method, path, { headers: from(ip, { ...headers(), 'x-request-id': id }), ...(method === 'POST' ? { body: { topic: 'honeybees' } } : {}) });
      const slow = await call(viaExpress, 'express-path-0001');
      const fast = await call(h.api, 'express-path-0001'.replace('express', 'fastpath'));
      assert.equal(fast.status, 401);
      assert.equal(slow.status, 401);
      assert.deepEqual({ ...fast.body, trace_id: null }, { ...slow.body, trace_id: null });
      assert.equal(typeof fast.body.trace_id, typeof slow.body.trace_id, 'a trace id where express gives one');
      assert.deepEqual({ ...stableHeaders(fast.headers), 'x-request-id': '' }, { ...stableHeaders(slow.headers), 'x-request-id': '' });
      assert.equal(fast.headers.get('x-request-id'), 'fastpath-path-0001', 'a sane client id is echoed');
      assert.equal(fast.headers.get('www-authenticate'), challenge);
      assert.deepEqual([remaining(slow.headers.get('ratelimit')), remaining(fast.headers.get('ratelimit'))], [2, 1], 'both count against one budget');
      assert.ok(accessLogged('express-path-0001') && !accessLogged('fastpath-path-0001'), 'the second answer came from the fast path');
    });
  }

  it("when a user has spent RATE_LIMIT_USER_PER_HOUR, then further submissions and cancels are refused before express with the user limiter's 429; reads and other users go on", async () => {
    const u = await h.api.registerAndLogin(undefined, undefined, from(freshIp()));
    const submit = (id: string, api = h.api) =>
      api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'honeybees' }, headers: from(freshIp(), { 'x-request-id': id }) });
    const accepted = await submit('spend-user-0001');
    assert.equal(accepted.status, 202);
    // Redis's count reaches the limit with this one: the replica remembers the user as spent from here on.
    assert.equal((await submit('spend-user-0002')).status, 202);
    const slow = await submit('express-user-0001', viaExpress);
    const fast = await submit('fastpath-user-0001');
    const cancel = await h.api.call('POST', `/v1/requests/${accepted.body.id}/cancel`, {
      token: u.access,
      headers: from(freshIp(), { 'x-request-id': 'fastpath-user-0002' }),
    });
    for (const res of [slow, fast, cancel]) {
      assert.equal(res.status, 429);
      assert.equal(res.body.code, 'rate_limited');
      assert.match(res.body.detail, /^too many requests \(user limit of 2 per hour\); retry after \d+ s$/);
      assert.ok(Number(res.headers.get('retry-after')) > 0 && Number(res.headers.get('retry-after')) <= 3600);
    }
    const userPolicy = (res: typeof slow) => /"user"; q=2; w=3600; pk=:[^:]+:/.exec(res.headers.get('ratelimit-policy') ?? '')?.[0];
    assert.ok(userPolicy(slow), 'express names the user policy');
    assert.equal(userPolicy(fast), userPolicy(slow), 'the same policy and partition key as express');
    assert.match(fast.headers.get('ratelimit') ?? '', /"user"; r=0; t=\d+/);
    assert.ok(accessLogged('express-user-0001'), 'the same app without the fast path refuses it too');
    assert.ok(!accessLogged('fastpath-user-0001') && !accessLogged('fastpath-user-0002'), 'later ones come from the fast path');
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access, headers: from(freshIp()) })).status, 200, 'reads have their own budget');
    const other = await h.api.registerAndLogin(undefined, undefined, from(freshIp()));
    assert.equal(
      (await h.api.call('POST', '/v1/requests', { token: other.access, body: { topic: 'honeybees' }, headers: from(freshIp()) })).status,
      202,
      'another user is unaffected',
    );
    const metrics = await h.ops.call('GET', '/metrics');
    assert.match(metrics.body, /pressroom_rate_limited_total\{[^}]*limiter="user"[^}]*\} [3-9]/);
  });

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

  it('when a call carries a token signed with the real key, an API key, a stream ticket or an Origin, then express answers it', async () => {
    const ip = freshIp();
    const ids = ['express-jwt-0001', 'express-key-0001', 'express-ticket-01', 'express-origin-01'];
    const u = await h.api.registerAndLogin(undefined, undefined, from(freshIp()));
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access, headers: from(ip, { 'x-request-id': ids[0]! }) })).status, 200);
    await h.api.call('GET', '/v1/me', { headers: from(ip, { authorization: 'Bearer prs_nonsense', 'x-request-id': ids[1]! }) });
    await h.api.call('GET', '/v1/requests/00000000-0000-4000-8000-000000000000/events?ticket=x', { headers: from(ip, { 'x-request-id': ids[2]! }) });
    await h.api.call('GET', '/v1/me', { headers: from(ip, { origin: 'https://elsewhere.example', 'x-request-id': ids[3]! }) });
    for (const id of ids) assert.ok(accessLogged(id), id);
  });
});
