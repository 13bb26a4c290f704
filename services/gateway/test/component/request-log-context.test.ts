import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { captureLogs, startTestGateway } from '../support/gateway-harness.ts';
import { openEventStream } from '../support/sse-client.ts';

describe('the content request a call serves, on its log lines (real PostgreSQL, Redis, RabbitMQ)', () => {
  const logs = captureLogs('info');
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    h = await startTestGateway({}, 'reqlog', { logger: logs.logger });
  });
  after(() => h.close());

  const accessLine = (httpRequestId: string) => logs.records().find((r) => r['msg'] === 'http request' && r['http_request_id'] === httpRequestId);
  const settled = async (httpRequestId: string) => {
    for (let i = 0; i < 50 && !accessLine(httpRequestId); i++) await new Promise((r) => setTimeout(r, 20));
    return accessLine(httpRequestId);
  };

  it("when a request is submitted, replayed by its Idempotency-Key and read, then each call's access line names that request", async () => {
    const user = await h.api.registerAndLogin();
    const submit = (id: string) =>
      h.api.call('POST', '/v1/requests', {
        token: user.access,
        body: { topic: 'How do honeybees communicate?' },
        headers: { 'idempotency-key': 'log-context-1', 'x-request-id': id },
      });
    const first = await submit('log-submit-00001');
    assert.equal(first.status, 202);
    const again = await submit('log-replay-00001');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, first.body.id);
    await h.api.call('GET', `/v1/requests/${first.body.id}`, { token: user.access, headers: { 'x-request-id': 'log-read-0000001' } });
    assert.equal((await settled('log-submit-00001'))?.['request_id'], first.body.id);
    assert.equal((await settled('log-replay-00001'))?.['request_id'], first.body.id, 'a replay serves the first request, not an id made for it');
    assert.equal((await settled('log-read-0000001'))?.['request_id'], first.body.id);
    assert.equal((await settled('log-read-0000001'))?.['user_id'], user.userId);
  });

  it('when a submission is refused before it is stored, then its access line names no request', async () => {
    const user = await h.api.registerAndLogin();
    const refused = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: '' }, headers: { 'x-request-id': 'log-refused-0001' } });
    assert.equal(refused.status, 400);
    const line = await settled('log-refused-0001');
    assert.ok(line);
    assert.equal(line['request_id'], undefined);
  });

  it("when a request's event stream is followed, by token or by ticket, then its access line names the request and the user", async () => {
    const user = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'How do tides work?' } });
    assert.equal(created.status, 202);
    const url = `${h.url}/v1/requests/${created.body.id}/events`;
    const byToken = await openEventStream(url, { authorization: `Bearer ${user.access}`, 'x-request-id': 'log-stream-000001' });
    assert.equal(byToken.status, 200);
    await byToken.close();
    const ticket = (await h.api.call('POST', '/v1/stream-tickets', { token: user.access, body: { request_id: created.body.id } })).body.ticket;
    const byTicket = await openEventStream(`${url}?ticket=${ticket}`, { 'x-request-id': 'log-stream-000002' });
    assert.equal(byTicket.status, 200);
    await byTicket.close();
    for (const id of ['log-stream-000001', 'log-stream-000002']) {
      const line = await settled(id);
      assert.equal(line?.['request_id'], created.body.id, id);
      assert.equal(line?.['user_id'], user.userId, id);
      assert.equal(line?.['client_closed'], true, 'the client ended it: logged all the same, and said so');
    }
  });
});
