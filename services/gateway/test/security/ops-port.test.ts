import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../support/gateway-harness.ts';

describe('API8:2023 Security Misconfiguration: operations endpoints apart from the API', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    h = await startTestGateway({ RATE_LIMIT_IP_PER_HOUR: '3' }, 'secops');
  });
  after(() => h.close());

  it('when /metrics, /readyz or /healthz is asked on the public API port, then it is 404 problem+json', async () => {
    for (const path of ['/metrics', '/readyz', '/healthz']) {
      const res = await h.api.call('GET', path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, path);
    }
  });

  it('when the operations port is asked, then /healthz, /readyz and /metrics answer there, unlimited', async () => {
    assert.notEqual(h.gateway.opsPort, h.gateway.port);
    for (let i = 0; i < 5; i++) {
      assert.equal((await h.ops.call('GET', '/healthz')).status, 200);
      const ready = await h.ops.call('GET', '/readyz');
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body, { status: 'ready', checks: { startup: 'ok', postgres: 'ok', rabbitmq: 'ok', redis: 'ok' } });
    }
    const metrics = await h.ops.call('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
  });
});
