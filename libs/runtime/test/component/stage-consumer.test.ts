import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as amqplib from 'amqplib';
import { permanentError, transientError } from '@pressroom/contracts';
import { createEnvelope, publishDeadLetter, publishTask } from '@pressroom/messaging';
import type { RunningWorker } from '@pressroom/runtime';
import { BASE_URLS } from '@pressroom/test-support';
import { researchPayload, SOURCE, startStageWorker, type StageWorker } from '../support/stage-worker.ts';

describe('stage consumer (real RabbitMQ and Redis)', () => {
  const calls = new Map<string, number>();
  // Per call (request id / call number): how long the task had been queued when the handler got it, ms.
  const ages = new Map<string, number>();
  let w: StageWorker<'research'>;
  let worker: RunningWorker;
  let events: StageWorker<'research'>['events'];
  let config: StageWorker<'research'>['config'];

  before(async () => {
    w = await startStageWorker({
      label: 'stage',
      stage: 'research',
      // A first backoff long enough to tell from queueing (the tests' default RETRY_BASE_MS is 50).
      settings: { RETRY_MAX_ATTEMPTS: '3', BREAKER_MAX_DEFERRALS: '4', STARTED_EVENT_DELAY_MS: '0', RETRY_BASE_MS: '400', RETRY_MAX_MS: '800' },
      createHandler: () => async (task) => {
        const n = (calls.get(task.request_id) ?? 0) + 1;
        calls.set(task.request_id, n);
        ages.set(`${task.request_id}/${n}`, Date.now() - Date.parse(task.enqueued_at));
        const topic = task.payload.brief.topic;
        if (topic === 'always transient') throw transientError('upstream_timeout', 'slow');
        if (topic === 'permanent') throw permanentError('upstream_404', 'gone');
        if (topic === 'flaky' && n === 1) throw transientError('upstream_503', 'blip');
        if (topic === 'come back much later' && n <= 4) throw transientError('upstream_rate_limited', 'slow down', { retryAfterMs: 600_000 });
        if ((topic === 'breaker briefly open' && n <= 4) || topic === 'breaker stays open')
          throw transientError('breaker_open', 'open', { consumeAttempt: false });
        return { next: { ...task.payload, sources: [SOURCE] }, result: { sources: [{ title: 'T', url: 'file:///t' }] } };
      },
    });
    ({ worker, events, config } = w);
  });

  after(async () => {
    await w.close();
  });

  const submit = (topic: string) => w.submit(researchPayload(topic));

  it('when a task succeeds, then started and completed events are published and the next stage task is queued', async () => {
    const env = await submit('solar panels');
    const done = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
    assert.equal(done.stage, 'research');
    assert.deepEqual(done.result?.sources, [{ title: 'T', url: 'file:///t' }]);
    assert.ok(events.events.some((e) => e.request_id === env.request_id && e.type === 'started'));
    const conn = await amqplib.connect(BASE_URLS.rabbitmq);
    const ch = await conn.createChannel();
    const msg = await ch.get(`${config.AMQP_PREFIX}write.tasks`, { noAck: true });
    await conn.close();
    assert.ok(msg, 'a write task was queued');
    const next = JSON.parse(msg.content.toString());
    assert.equal(next.request_id, env.request_id);
    assert.equal(next.stage, 'write');
    assert.equal(next.attempt, 1);
  });

  it("when a replay's task (run 2) is retried and completes, then every event and the next stage's task carry its run", async () => {
    const env = await w.submit(researchPayload('flaky'), 2);
    const done = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
    const mine = events.events.filter((e) => e.request_id === env.request_id);
    assert.deepEqual(
      mine.map((e) => `${e.type} ${e.attempt} run ${e.run}`),
      ['started 1 run 2', 'retrying 1 run 2', 'started 2 run 2', 'completed 2 run 2'],
    );
    assert.equal(done.run, 2);
    const conn = await amqplib.connect(BASE_URLS.rabbitmq);
    const ch = await conn.createChannel();
    let next: { request_id: string; run?: number } | undefined;
    for (let i = 0; i < 100 && !next; i++) {
      const m = await ch.get(`${config.AMQP_PREFIX}write.tasks`, { noAck: true });
      const body = m ? JSON.parse(m.content.toString()) : undefined;
      if (body?.request_id === env.request_id) next = body;
      else if (!m) await new Promise((r) => setTimeout(r, 20));
    }
    await conn.close();
    assert.equal(next?.run, 2, 'the write task belongs to the same run');
  });

  it('when a transient failure happens once, then the task is retried through a delay queue and completes on attempt 2', async () => {
    const env = await submit('flaky');
    const retrying = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'retrying');
    assert.equal(retrying.error?.code, 'upstream_503');
    const done = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
    assert.equal(done.attempt, 2);
    // The retry's enqueued_at is when it came back from the delay queue: its task age is queueing, not the backoff.
    const age = ages.get(`${env.request_id}/2`)!;
    assert.ok(retrying.retry_in_ms! >= 300 && age < retrying.retry_in_ms! / 2, `task age ${age} ms after a ${retrying.retry_in_ms} ms backoff`);
  });

  it('when failures stay transient, then the task is dead-lettered after the last attempt with a failed event', async () => {
    const env = await submit('always transient');
    const failed = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    assert.equal(failed.attempt, 3);
    assert.equal(calls.get(env.request_id), 3);
  });

  it('when a dependency breaker is open, then the task is delayed without spending attempts', async () => {
    const env = await submit('breaker briefly open');
    const done = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
    assert.equal(done.attempt, 1, 'four deferrals spent no attempt although only three are allowed');
    assert.equal(calls.get(env.request_id), 5);
  });

  it('when a dependency asks to wait longer than the longest backoff (Retry-After), then the early retries spend no attempt', async () => {
    const env = await submit('come back much later');
    const done = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed', 15_000);
    assert.equal(done.attempt, 1, 'four early retries within the deferral budget spent no attempt although only three are allowed');
    assert.equal(calls.get(env.request_id), 5);
  });

  it('when a breaker stays open past the deferral budget, then attempts are spent and the task ends dead-lettered', async () => {
    const env = await submit('breaker stays open');
    const failed = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    assert.equal(failed.error?.code, 'breaker_open');
    assert.equal(calls.get(env.request_id), 4 + 3, 'four free deferrals, then the three attempts');
  });

  it('when a failure is permanent, then the task is dead-lettered at once with its reason', async () => {
    const env = await submit('permanent');
    const failed = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    assert.equal(failed.error?.code, 'upstream_404');
    assert.equal(calls.get(env.request_id), 1);
    const conn = await amqplib.connect(BASE_URLS.rabbitmq);
    const ch = await conn.createChannel();
    let dead: amqplib.GetMessage | undefined;
    for (let i = 0; i < 100 && !dead; i++) {
      const m = await ch.get(`${config.AMQP_PREFIX}research.dead`, { noAck: true });
      if (m && JSON.parse(m.content.toString()).request_id === env.request_id) dead = m;
      else if (!m) await new Promise((r) => setTimeout(r, 20));
    }
    await conn.close();
    assert.ok(dead);
    assert.equal(dead.properties.headers?.['x-pressroom-reason'], 'upstream_404');
  });

  it('when a malformed message arrives, then it is dead-lettered on first delivery and the worker keeps working', async () => {
    const conn = await amqplib.connect(BASE_URLS.rabbitmq);
    const ch = await conn.createConfirmChannel();
    const rid = randomUUID();
    ch.publish(
      `${config.AMQP_PREFIX}pressroom.tasks`,
      'research',
      Buffer.from(JSON.stringify({ request_id: rid, user_id: randomUUID(), stage: 'research', bogus: true })),
    );
    ch.publish(`${config.AMQP_PREFIX}pressroom.tasks`, 'research', Buffer.from('{not json'));
    await ch.waitForConfirms();
    const failed = await events.waitFor((e) => e.request_id === rid && e.type === 'failed');
    assert.equal(failed.error?.code, 'invalid_message');
    let deadCount = 0;
    for (let i = 0; i < 100 && deadCount < 2; i++) {
      const m = await ch.get(`${config.AMQP_PREFIX}research.dead`, { noAck: true });
      if (m && m.properties.headers?.['x-pressroom-reason'] === 'invalid_message') deadCount++;
      else if (!m) await new Promise((r) => setTimeout(r, 20));
    }
    await conn.close();
    assert.equal(deadCount, 2);
    const env = await submit('still alive');
    await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
  });

  it('when the broker closes the publish channel (a channel error), then it is reopened and tasks keep flowing', async () => {
    await assert.rejects(worker.broker.publish(`${config.AMQP_PREFIX}no-such-exchange`, 'x', { probe: true }));
    for (let i = 0; i < 100 && !worker.broker.isConnected(); i++) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 100 && worker.broker.isConnected(); i++) {
      // The close may land just after the rejected publish; wait until a publish goes through again.
      try {
        const env = await submit('after a channel error');
        await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.fail('publishing never recovered after the channel error');
  });

  it('when /metrics is scraped, then queue depths of the work, delay and dead queues are reported', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    const deadCount = (text: string) => Number(/pressroom_queue_depth\{[^}]*stage="research",queue="dead"[^}]*\} (\d+)/.exec(text)?.[1] ?? NaN);
    const before = deadCount(await scrape());
    await publishDeadLetter(worker.broker, 'research', { probe: true }, { reason: 'test', detail: 'queue depth probe', attempts: 1 });
    let text = await scrape();
    for (let i = 0; i < 50 && deadCount(text) !== before + 1; i++) text = await scrape();
    assert.equal(deadCount(text), before + 1);
    assert.match(text, /pressroom_queue_depth\{[^}]*stage="research",queue="work"[^}]*\} 0/);
    assert.match(text, /pressroom_queue_depth\{[^}]*queue="delay.0"/);
  });

  it('when the same task message is delivered twice, then the second delivery is skipped', async () => {
    const env = createEnvelope({ request_id: randomUUID(), user_id: randomUUID(), stage: 'research', payload: researchPayload('dedupe me') });
    await publishTask(worker.broker, env);
    await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
    // The done mark is written right after the completed event is confirmed: a task delivered on the same
    // connection after that confirm (this one) is handled after the mark, so the duplicate below meets it.
    const settled = await submit('marker before duplicate');
    await events.waitFor((e) => e.request_id === settled.request_id && e.type === 'completed');
    await publishTask(worker.broker, env);
    const marker = await submit('marker after duplicate');
    await events.waitFor((e) => e.request_id === marker.request_id && e.type === 'completed');
    assert.equal(calls.get(env.request_id), 1);
  });
});
