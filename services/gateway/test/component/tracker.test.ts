import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { publishEvent } from '@pressroom/messaging';
import type { StageEvent } from '@pressroom/contracts';
import { startTestGateway } from '../support/gateway-harness.ts';

const article = {
  title: 'Bees',
  summary: 'About bees.',
  body_markdown: '# Bees\n\nBees dance [1].',
  sources: [{ title: 'Honeybees', url: 'file:///corpus/honeybees.md' }],
};

describe('event tracker (real RabbitMQ and PostgreSQL)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    h = await startTestGateway({}, 'trk');
  });
  after(() => h.close());

  async function waitForStatus(token: string, id: string, status: string) {
    for (let i = 0; i < 200; i++) {
      const res = await h.api.call('GET', `/v1/requests/${id}`, { token });
      if (res.body.status === status) return res.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`request ${id} never reached ${status}`);
  }

  async function waitForStage(token: string, id: string, stage: string, match: (s: any) => boolean) {
    for (let i = 0; i < 200; i++) {
      const res = await h.api.call('GET', `/v1/requests/${id}`, { token });
      const found = res.body.stages.find((s: any) => s.stage === stage && match(s));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`stage ${stage} of ${id} never matched`);
  }

  const emit = (base: { request_id: string; user_id: string }, stage: StageEvent['stage'], type: StageEvent['type'], extra: Partial<StageEvent> = {}) =>
    publishEvent(h.gateway.deps.broker, { message_id: `${stage}-m`, ...base, stage, type, attempt: 1, ...extra });

  it('when every stage reports, then the request is published with a full timeline, durations and the article', async () => {
    const u = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'honeybees' } });
    const base = { request_id: created.body.id, user_id: u.userId };
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    await emit(base, 'research', 'started', { at: at(0) });
    await emit(base, 'research', 'completed', { at: at(100), duration_ms: 100 });
    await emit(base, 'write', 'started', { at: at(150) });
    await emit(base, 'write', 'retrying', { at: at(200), error: { code: 'upstream_503', message: 'busy' }, retry_in_ms: 50 });
    await emit(base, 'write', 'started', { at: at(260), attempt: 2 });
    const retried = await waitForStage(u.access, created.body.id, 'write', (s) => s.attempts === 2);
    assert.deepEqual(retried.error, { code: 'upstream_503', message: 'busy' }, 'while a retry runs, the last error is visible');
    await emit(base, 'write', 'completed', { at: at(400), attempt: 2, duration_ms: 140, result: { article } });
    await emit(base, 'publish', 'started', { at: at(420) });
    await emit(base, 'publish', 'completed', { at: at(450), duration_ms: 30, result: { published_url: 'file:///tmp/x.md' } });
    const done = await waitForStatus(u.access, created.body.id, 'published');
    const byStage = Object.fromEntries(done.stages.map((s: { stage: string }) => [s.stage, s]));
    assert.equal(byStage.research.status, 'completed');
    assert.equal(byStage.research.duration_ms, 100);
    assert.equal(byStage.write.attempts, 2);
    assert.equal(byStage.write.duration_ms, 250, 'a stage lasts from its first start to its completion');
    assert.equal(byStage.write.error, null, 'a completed stage carries no error');
    assert.equal(byStage.publish.duration_ms, 30);
    assert.equal(done.result.title, 'Bees');
    assert.equal(done.result.published_url, 'file:///tmp/x.md');
    assert.deepEqual(done.result.sources, article.sources);
  });

  it('when events arrive late or twice, then status never moves backwards', async () => {
    const u = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'late events' } });
    const base = { request_id: created.body.id, user_id: u.userId };
    await emit(base, 'write', 'started');
    await waitForStatus(u.access, created.body.id, 'writing');
    await emit(base, 'research', 'started');
    await emit(base, 'research', 'completed', { duration_ms: 5 });
    await emit(base, 'research', 'completed', { duration_ms: 5 });
    await emit(base, 'publish', 'started');
    const publishing = await waitForStatus(u.access, created.body.id, 'publishing');
    assert.equal(publishing.stages[0].status, 'completed');
  });

  it('when a stage fails, then the request is failed with the stage error', async () => {
    const u = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'doomed' } });
    const base = { request_id: created.body.id, user_id: u.userId };
    await emit(base, 'research', 'started');
    await emit(base, 'research', 'failed', { error: { code: 'no_sources', message: 'nothing matched' } });
    const failed = await waitForStatus(u.access, created.body.id, 'failed');
    assert.equal(failed.stages[0].status, 'failed');
    assert.deepEqual(failed.stages[0].error, { code: 'no_sources', message: 'nothing matched' });
    assert.deepEqual(failed.error, { stage: 'research', code: 'no_sources', message: 'nothing matched' });
  });

  it('when an event for an unknown request arrives, then it is absorbed and later events still apply', async () => {
    await emit({ request_id: randomUUID(), user_id: randomUUID() }, 'research', 'started');
    const u = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'after unknown' } });
    await emit({ request_id: created.body.id, user_id: u.userId }, 'research', 'started');
    await waitForStatus(u.access, created.body.id, 'researching');
  });

  it('when the tracker moves an event it could not record to events.retry, then it comes back after the longest backoff and is recorded', async () => {
    const u = await h.api.registerAndLogin();
    const created = await h.api.call('POST', '/v1/requests', { token: u.access, body: { topic: 'retried later' } });
    const broker = h.gateway.deps.broker;
    const event = {
      event_id: randomUUID(),
      message_id: 'research-m',
      request_id: created.body.id,
      user_id: u.userId,
      stage: 'research',
      type: 'started',
      attempt: 1,
      at: new Date().toISOString(),
    };
    await broker.publish('', broker.names.eventsRetry, event);
    await waitForStatus(u.access, created.body.id, 'researching');
    assert.equal(await broker.messageCount(broker.names.eventsRetry), 0);
  });

  it('when an event cannot be parsed, then it is kept once in events.dead', async () => {
    const broker = h.gateway.deps.broker;
    const before = (await broker.messageCount(broker.names.eventsDead)) ?? 0;
    await broker.publish(broker.names.events, 'request.research.started', { not: 'an event' });
    for (let i = 0; i < 200 && (await broker.messageCount(broker.names.eventsDead)) === before; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(await broker.messageCount(broker.names.eventsDead), before + 1);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await broker.messageCount(broker.names.eventsDead), before + 1, 'one copy');
    assert.equal(await broker.messageCount(broker.names.eventsRetry), 0, 'never retried');
    // Operators see it: the gateway's metrics count the parked events (PressroomStageEventsParked alerts on them).
    const scraped = await fetch(`http://127.0.0.1:${h.gateway.opsPort}/metrics`).then((r) => r.text());
    assert.match(scraped, new RegExp(`^pressroom_event_queue_depth\\{[^}]*queue="dead"[^}]*\\} ${before + 1}$`, 'm'));
    assert.match(scraped, /^pressroom_event_queue_depth\{[^}]*queue="retry"[^}]*\} 0$/m);
    assert.match(scraped, /^pressroom_event_queue_depth\{[^}]*queue="work"[^}]*\} \d+$/m);
  });
});
