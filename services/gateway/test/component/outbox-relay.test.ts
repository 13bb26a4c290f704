import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as amqplib from 'amqplib';
import { BASE_URLS, pollUntil } from '@pressroom/test-support';
import { withLogContext } from '@pressroom/logger';
import { captureLogs, startTestGateway } from '../support/gateway-harness.ts';

const ADMIN = { email: 'admin@outbox.test', password: 'admin password for tests' };

describe('outbox relay: every row sent as a validated task (real PostgreSQL and RabbitMQ)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let conn: amqplib.ChannelModel;
  let ch: amqplib.Channel;
  let admin: string;
  const logs = captureLogs('warn');

  before(async () => {
    h = await startTestGateway({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 'outbox', { logger: logs.logger });
    conn = await amqplib.connect(BASE_URLS.rabbitmq);
    ch = await conn.createChannel();
    admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
  });
  after(async () => {
    await conn.close();
    await h.close();
  });

  const names = () => h.gateway.deps.broker.names;
  const until = <T>(what: string, probe: () => Promise<T | undefined>) => pollUntil(what, probe, { timeoutMs: 10_000, intervalMs: 50 });

  it('when a request is submitted, then its research task leaves with the task properties every worker sends', async () => {
    const user = await h.api.registerAndLogin();
    const submitted = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'How do honeybees communicate?' } });
    assert.equal(submitted.status, 202);
    const message = await until('the research task', async () => {
      const got = await ch.get(names().work('research'), { noAck: true });
      return got && JSON.parse(got.content.toString()).request_id === submitted.body.id ? got : undefined;
    });
    const task = JSON.parse(message.content.toString());
    assert.equal(message.properties.messageId, task.message_id);
    assert.equal(message.properties.type, 'research');
    assert.ok(Number(message.properties.timestamp) > 0, 'stamped like publishTask stamps');
    assert.equal(message.properties.headers?.['x-pressroom-request-id'], submitted.body.id);
    assert.equal(message.properties.headers?.['x-pressroom-user-id'], user.userId);
  });

  it('when an outbox row is not a valid task, then it is dead-lettered (listed, its request failed) instead of blocking the outbox', async () => {
    const user = await h.api.registerAndLogin();
    const submitted = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'How do honeybees communicate?' } });
    const id = submitted.body.id as string;
    const { db } = h.gateway.deps;
    // A row no code path writes today (submit and replay build valid tasks): a task without its brief.
    await db.query(`INSERT INTO outbox (request_id, exchange_key, routing_key, message, headers) VALUES ($1, 'tasks', 'research', $2, '{}')`, [
      id,
      JSON.stringify({ message_id: '00000000-0000-4000-8000-00000000abcd', request_id: id, user_id: user.userId, stage: 'research', attempt: 1, payload: {} }),
    ]);
    // Woken from inside an API call, as every submission does: the relay's work is not that call's.
    await withLogContext({ http_request_id: 'some-other-call-01', user_id: '00000000-0000-4000-8000-0000000000aa' }, () => h.gateway.deps.outbox.wake());
    const letter = await until('the dead letter', async () => {
      const res = await h.api.call('GET', '/v1/admin/dead-letters?stage=research', { token: admin });
      return (res.body.items as Array<{ request_id: string; reason: string }> | undefined)?.find((l) => l.request_id === id && l.reason === 'invalid_message');
    });
    assert.ok(letter);
    const line = logs.records().find((r) => r['msg'] === 'an outbox row is not a valid task; dead-lettered' && r['request_id'] === id);
    assert.ok(line, 'the refusal is logged with its request');
    assert.equal(line['user_id'], user.userId);
    assert.equal(line['http_request_id'], undefined, "not the id of the call that woke the relay, nor of the submission's call");
    const { rows } = await db.query('SELECT count(*)::int AS n FROM outbox');
    assert.equal(rows[0].n, 0, 'the outbox is empty: the invalid row is gone and the valid ones were sent');
    const request = await until('the failed request', async () => {
      const res = await h.api.call('GET', `/v1/requests/${id}`, { token: user.access });
      return res.body.status === 'failed' ? res.body : undefined;
    });
    assert.equal(request.error?.stage, 'research');
    const later = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'Sourdough starter' } });
    assert.equal(later.status, 202, 'later submissions go on');
    await until('the later task sent', async () => ((await db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0 ? true : undefined));
  });

  // Last: it closes this gateway's broker connection for good.
  it('when the broker is gone, then submissions are still accepted into the outbox and the gateway stays in rotation, its readiness degraded', async () => {
    const user = await h.api.registerAndLogin();
    await h.gateway.deps.broker.close();
    const submitted = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'Lighthouse keepers' } });
    assert.equal(submitted.status, 202);
    const ready = await until('readiness to see the broker gone', async () => {
      const res = await h.ops.call('GET', '/readyz');
      return res.body.checks.rabbitmq === 'failed' ? res : undefined;
    });
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'degraded');
    const { rows } = await h.gateway.deps.db.query('SELECT count(*)::int AS n FROM outbox WHERE request_id = $1', [submitted.body.id]);
    assert.equal(rows[0].n, 1, 'its task waits in the outbox for the broker');
    assert.equal((await h.api.call('GET', `/v1/requests/${submitted.body.id}`, { token: user.access })).body.status, 'queued');
  });
});
