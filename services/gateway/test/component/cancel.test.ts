import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { publishEvent } from '@pressroom/messaging';
import type { StageEvent } from '@pressroom/contracts';
import { BASE_URLS, pollUntil } from '@pressroom/test-support';
import { startTestGateway } from '../support/gateway-harness.ts';
import { openEventStream } from '../support/sse-client.ts';

const ADMIN = { email: 'admin@cancel.test', password: 'cancel admin password' };

describe('cancelling a content request (real PostgreSQL, Redis and RabbitMQ)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let redis: Redis;
  before(async () => {
    h = await startTestGateway({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }, 'cancel');
    redis = new Redis(BASE_URLS.redis, { keyPrefix: h.config.REDIS_KEY_PREFIX });
  });
  after(async () => {
    redis.disconnect();
    await h.close();
  });

  const emit = (base: { request_id: string; user_id: string }, stage: StageEvent['stage'], type: StageEvent['type'], extra: Partial<StageEvent> = {}) =>
    publishEvent(h.gateway.deps.broker, { message_id: `${stage}-m`, ...base, stage, type, attempt: 1, ...extra });
  const cancel = (id: string, token: string) => h.api.call('POST', `/v1/requests/${id}/cancel`, { token });
  const get = (id: string, token: string) => h.api.call('GET', `/v1/requests/${id}`, { token });

  async function submitted() {
    const u = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'honeybees' } });
    return { u, id: created.body.id as string, base: { request_id: created.body.id as string, user_id: u.userId } };
  }

  it('when a request in flight is cancelled, then 202 with the request, workers are told, and it ends cancelled at the next stage boundary', async () => {
    const { u, id, base } = await submitted();
    await emit(base, 'research', 'completed', { duration_ms: 5 });
    await pollUntil('research recorded', async () => (await get(id, u.access)).body.status === 'researching' || undefined);
    const stream = await openEventStream(`${h.url}/v1/requests/${id}/events`, { authorization: `Bearer ${u.access}` });

    const accepted = await cancel(id, u.access);
    assert.equal(accepted.status, 202);
    assert.equal(accepted.body.id, id);
    assert.equal(accepted.body.status, 'researching', 'it stops at the next stage boundary, not at once');
    assert.equal(await redis.exists(`cancel:${id}`), 1, 'the marker workers check before a stage');
    assert.equal((await cancel(id, u.access)).status, 202, 'asking again while it stops is accepted');

    // What the write worker does when it finds the marker (libs/runtime stage-cancel.test.ts).
    await emit(base, 'write', 'cancelled');
    const events = await stream.ended();
    assert.deepEqual(
      events.slice(-2).map((e) => e.event),
      ['request.write.cancelled', 'request.status'],
    );
    assert.equal(events.at(-1)!.data.status, 'cancelled');

    const done = (await get(id, u.access)).body;
    assert.equal(done.status, 'cancelled');
    assert.deepEqual(
      done.stages.map((s: { status: string }) => s.status),
      ['completed', 'cancelled', 'pending'],
    );
    assert.equal(done.stages[1].started_at, null, 'the stopped stage never started');
    const again = await cancel(id, u.access);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'conflict');
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).body.quota.used_today, 1, 'the quota is not refunded');
    const listed = await h.api.call('GET', '/v1/requests?status=cancelled', { token: u.access });
    assert.deepEqual(
      listed.body.items.map((r: { id: string }) => r.id),
      [id],
      'cancelled is a final outcome the list filters on',
    );

    // A late event from a stage that was running does not bring it back.
    await emit(base, 'publish', 'completed', { duration_ms: 5, result: { published_url: 'file:///tmp/late.md' } });
    await emit(base, 'research', 'started', { attempt: 2 });
    await pollUntil('late events recorded', async () => (await get(id, u.access)).body.stages[0].attempts === 2 || undefined);
    assert.equal((await get(id, u.access)).body.status, 'cancelled');
  });

  it('when a published or failed request is cancelled, then 409 conflict', async () => {
    const published = await submitted();
    for (const stage of ['research', 'write', 'publish'] as const) await emit(published.base, stage, 'completed', { duration_ms: 1 });
    await pollUntil('published', async () => (await get(published.id, published.u.access)).body.status === 'published' || undefined);
    const refused = await cancel(published.id, published.u.access);
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /already published/);

    const failed = await submitted();
    await emit(failed.base, 'research', 'failed', { error: { code: 'no_sources', message: 'none' } });
    await pollUntil('failed', async () => (await get(failed.id, failed.u.access)).body.status === 'failed' || undefined);
    assert.equal((await cancel(failed.id, failed.u.access)).status, 409);
  });

  it('when another user cancels a request, then 404 and nothing changes; an admin may cancel any; no token is 401', async () => {
    const { u, id } = await submitted();
    const withBody = await h.api.call('POST', `/v1/requests/${id}/cancel`, { token: u.access, body: { reason: 'changed my mind' } });
    assert.equal(withBody.status, 400, 'cancel takes no body: an unknown field is refused, not ignored');
    assert.deepEqual(withBody.body.errors, [{ field: 'reason', message: 'is not an allowed field' }]);
    const other = await h.api.registerAndLogin();
    assert.equal((await cancel(id, other.access)).status, 404);
    assert.equal(await redis.exists(`cancel:${id}`), 0);
    assert.equal((await h.api.call('POST', `/v1/requests/${id}/cancel`)).status, 401);
    assert.equal((await h.api.call('POST', `/v1/requests/${id}/cancel?now=1`, { token: u.access })).status, 400);
    assert.equal((await h.api.call('POST', `/v1/requests/not-a-uuid/cancel`, { token: u.access })).status, 400);
    const admin = (await h.api.call('POST', '/v1/auth/login', { body: ADMIN })).body.access_token;
    assert.equal((await cancel(id, admin)).status, 202);
  });
});
