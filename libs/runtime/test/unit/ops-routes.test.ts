import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { pollUntil } from '@pressroom/test-support';
import { closeServer, startOpsServer } from '../../src/ops-server.ts';

describe('operations endpoints', () => {
  let server: Server;
  let base: string;
  let postgresCalls = 0;
  let redisDown = true;
  const logged: Array<[string, string]> = [];
  before(async () => {
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      setting: 'TEST_OPS_PORT',
      registry: new Registry(),
      checks: {
        postgres: () => {
          postgresCalls++;
        },
        redis: () => {
          if (redisDown) throw new Error('connect ECONNREFUSED 10.20.30.40:6379 (user pressroom)');
        },
      },
      onCheckFailed: (name, err) => logged.push([name, (err as Error).message]),
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => closeServer(server));

  it('when a dependency fails, then /readyz names it without its error text, which goes to the operator hook', async () => {
    const res = await fetch(`${base}/readyz`);
    assert.equal(res.status, 503);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { status: 'unavailable', checks: { postgres: 'ok', redis: 'failed' } });
    assert.doesNotMatch(text, /10\.20\.30\.40|ECONNREFUSED|pressroom/);
    assert.ok(logged.some(([name, message]) => name === 'redis' && message.includes('10.20.30.40')));
  });

  it('when /readyz is hit many times within a second, then the dependencies are asked once, and again after the second', async () => {
    const before = postgresCalls;
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/readyz`).then((r) => r.text())));
    assert.ok(postgresCalls - before <= 1, `${postgresCalls - before} rounds of checks for 20 probes`);
    redisDown = false;
    await pollUntil('the cached answer to expire', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), { timeoutMs: 5000 });
    assert.ok(postgresCalls - before >= 1);
  });

  it('when /healthz is called, then it answers without asking any dependency', async () => {
    const calls = postgresCalls;
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    assert.equal(postgresCalls, calls);
  });
});

describe('operations endpoints of a service that keeps serving without some dependencies', () => {
  let server: Server;
  let base: string;
  let postgresDown = false;
  before(async () => {
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      setting: 'TEST_OPS_PORT',
      registry: new Registry(),
      checks: {
        postgres: () => {
          if (postgresDown) throw new Error('down');
        },
        rabbitmq: () => {
          throw new Error('not connected');
        },
      },
      degraded: ['rabbitmq'],
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => closeServer(server));

  it('when only a dependency it survives fails, then /readyz is 200 degraded and names it; when a required one fails too, then 503', async () => {
    const degraded = await fetch(`${base}/readyz`);
    assert.equal(degraded.status, 200);
    assert.deepEqual(await degraded.json(), { status: 'degraded', checks: { postgres: 'ok', rabbitmq: 'failed' } });
    postgresDown = true;
    const down = await pollUntil('the cached answer to expire', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 503 ? res : undefined;
    });
    assert.deepEqual(await down.json(), { status: 'unavailable', checks: { postgres: 'failed', rabbitmq: 'failed' } });
  });
});
