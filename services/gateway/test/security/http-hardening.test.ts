import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { loadConfig, type ConfigError } from '@pressroom/config';
import { testEnv } from '@pressroom/test-support';
import { createApp } from '../../src/app.ts';
import { SERVER_TIMEOUTS } from '../../src/gateway.ts';
import { openApiDocument } from '../../src/http/openapi.ts';
import { createApiClient, startTestGateway } from '../support/gateway-harness.ts';

describe('API8:2023 Security Misconfiguration: HTTP hardening', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let corsServer: Server;
  let cors: ReturnType<typeof createApiClient>;
  before(async () => {
    h = await startTestGateway({}, 'sechttp');
    // The same dependencies, with a CORS allowlist: the policy is configuration, not code.
    const config = { ...h.config, CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' };
    corsServer = createServer(createApp({ ...h.gateway.deps, config })).listen(0, '127.0.0.1');
    await once(corsServer, 'listening');
    cors = createApiClient(`http://127.0.0.1:${(corsServer.address() as { port: number }).port}`);
  });
  after(async () => {
    await new Promise((r) => corsServer.close(r));
    await h.close();
  });

  it('when any response is sent, then there is no X-Powered-By and helmet security headers are set', async () => {
    for (const path of ['/healthz', '/v1/me', '/v1/nope', '/openapi.json']) {
      const res = await h.api.call('GET', path);
      assert.equal(res.headers.get('x-powered-by'), null, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/, path);
      assert.equal(res.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'", path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
  });

  it('when CORS_ORIGINS is empty (the default), then no CORS headers are sent to any origin', async () => {
    assert.equal(loadConfig('gateway', testEnv('cors')).CORS_ORIGINS, '');
    const res = await h.api.call('GET', '/v1/me', { headers: { origin: 'https://app.example.com' } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const preflight = await h.api.call('OPTIONS', '/v1/requests', { headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(preflight.headers.get('access-control-allow-methods'), null);
  });

  it('when CORS_ORIGINS lists origins, then exactly those get CORS headers (never credentials) and preflights are answered', async () => {
    const ok = await cors.call('GET', '/v1/me', { headers: { origin: 'https://app.example.com' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(ok.headers.get('access-control-expose-headers') ?? '', /RateLimit/);
    assert.match(ok.headers.get('vary') ?? '', /Origin/);
    assert.equal(ok.headers.get('access-control-allow-credentials'), null);
    const preflight = await cors.call('OPTIONS', '/v1/requests', {
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    // A browser app revokes its keys and sessions and resumes a stream from where it stopped.
    const revoke = await cors.call('OPTIONS', '/v1/api-keys/00000000-0000-4000-8000-000000000000', {
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    const allowed = new Set((revoke.headers.get('access-control-allow-methods') ?? '').split(', '));
    const documented = Object.values(openApiDocument().paths).flatMap((ops) => Object.keys(ops).map((m) => m.toUpperCase()));
    for (const method of new Set(documented)) assert.ok(allowed.has(method), `${method} is allowed to browsers`);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Last-Event-ID/);
    // A browser client reads why it was refused, and a browser tool on the origin reads the spec.
    assert.match(ok.headers.get('access-control-expose-headers') ?? '', /WWW-Authenticate/);
    const spec = await cors.call('GET', '/openapi.json', { headers: { origin: 'https://app.example.com' } });
    assert.equal(spec.headers.get('access-control-allow-origin'), 'https://app.example.com');
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'null', 'http://app.example.com']) {
      const res = await cors.call('GET', '/v1/me', { headers: { origin } });
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('when a served path is asked with a method it does not serve, then 405 with Allow; OPTIONS there is 204 with Allow, no credential needed', async () => {
    const u = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'methods' } });
    const put = await h.api.call('PUT', `/v1/requests/${created.body.id}`, { token: u.access, body: { topic: 'x' } });
    assert.equal(put.status, 405);
    assert.equal(put.body.code, 'method_not_allowed');
    assert.equal(put.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(put.headers.get('allow'), 'GET, HEAD, OPTIONS');
    const del = await h.api.call('DELETE', '/v1/Requests/', { token: u.access });
    assert.equal(del.status, 405, 'the same on another spelling of the path');
    assert.equal(del.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
    const options = await h.api.call('OPTIONS', '/v1/webhooks/00000000-0000-4000-8000-000000000000');
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'GET, HEAD, PATCH, DELETE, OPTIONS');
    assert.equal((await h.api.call('PUT', '/v1/nope', { token: u.access })).status, 404, 'a path the API does not serve is still 404');
    // HEAD on the event stream answers the stream's headers and ends: it neither hangs nor holds a stream slot.
    for (let i = 0; i < 6; i++) {
      const head = await fetch(`${h.url}/v1/requests/${created.body.id}/events`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${u.access}` },
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(head.status, 200);
      assert.match(head.headers.get('content-type') ?? '', /^text\/event-stream/);
    }
    const missing = await fetch(`${h.url}/v1/requests/00000000-0000-4000-8000-000000000000/events`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${u.access}` },
    });
    assert.equal(missing.status, 404);
  });

  it('when CORS_ORIGINS holds a wildcard or a non-origin, then the gateway refuses to start naming CORS_ORIGINS', () => {
    for (const bad of ['*', 'https://app.example.com/path', 'app.example.com', 'https://*.example.com'])
      assert.throws(
        () => loadConfig('gateway', testEnv('cors', { CORS_ORIGINS: bad })),
        (err: ConfigError) => err.problems.some((p) => p.startsWith('CORS_ORIGINS')),
        bad,
      );
  });

  it('when the server listens, then header, request and keep-alive timeouts are set (slowloris)', () => {
    assert.equal(h.gateway.server.headersTimeout, SERVER_TIMEOUTS.headersTimeout);
    assert.equal(h.gateway.server.requestTimeout, SERVER_TIMEOUTS.requestTimeout);
    assert.equal(h.gateway.server.keepAliveTimeout, SERVER_TIMEOUTS.keepAliveTimeout);
    assert.ok(SERVER_TIMEOUTS.headersTimeout <= 10_000 && SERVER_TIMEOUTS.requestTimeout <= 30_000);
  });
});
