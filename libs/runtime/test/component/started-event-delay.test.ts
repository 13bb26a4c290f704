import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { researchPayload, SOURCE, startStageWorker, type StageWorker } from '../support/stage-worker.ts';

const DELAY_MS = 150;

describe('started events are deferred for stages that settle quickly (real RabbitMQ and Redis)', () => {
  let w: StageWorker<'research'>;
  let events: StageWorker<'research'>['events'];

  before(async () => {
    w = await startStageWorker({
      label: 'started',
      stage: 'research',
      settings: { STARTED_EVENT_DELAY_MS: String(DELAY_MS), RETRY_MAX_ATTEMPTS: '1' },
      createHandler: () => async (task) => {
        const topic = task.payload.brief.topic;
        if (topic === 'slow topic') await sleep(DELAY_MS * 4);
        if (topic === 'failing topic') throw Object.assign(new Error('gone'), { code: 'upstream_404', transient: false });
        return { next: { ...task.payload, sources: [SOURCE] }, result: { sources: [{ title: 'T', url: 'file:///t' }] } };
      },
    });
    ({ events } = w);
  });

  after(async () => {
    await w.close();
  });

  const submit = (topic: string) => w.submit(researchPayload(topic));
  const typesOf = (requestId: string) => events.events.filter((e) => e.request_id === requestId).map((e) => e.type);

  it('when a stage completes within the delay, then only its completed event is sent, and it says when the stage started', async () => {
    const before = Date.now();
    const env = await submit('fast topic');
    const done = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
    // Anything sent for this task has arrived by the time a later task's completed event does (one channel, in order).
    const probe = await submit('fast topic');
    await events.waitFor((e) => e.request_id === probe.request_id && e.type === 'completed');
    assert.deepEqual(typesOf(env.request_id), ['completed']);
    assert.equal(typeof done.duration_ms, 'number');
    assert.ok(Date.parse(done.at) - done.duration_ms! >= before - 5, 'at minus duration_ms is the start');
  });

  it('when a stage runs longer than the delay, then its started event is sent first, stamped with the real start', async () => {
    const env = await submit('slow topic');
    const done = await events.waitFor((e) => e.request_id === env.request_id && e.type === 'completed');
    const started = events.events.find((e) => e.request_id === env.request_id && e.type === 'started');
    assert.deepEqual(typesOf(env.request_id), ['started', 'completed']);
    assert.ok(started);
    assert.ok(Date.parse(done.at) - Date.parse(started.at) >= DELAY_MS * 4 - 5, 'the started event carries the start time, not the send time');
  });

  it('when a stage fails within the delay, then only its failed event is sent', async () => {
    const env = await submit('failing topic');
    await events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    const probe = await submit('fast topic');
    await events.waitFor((e) => e.request_id === probe.request_id && e.type === 'completed');
    assert.deepEqual(typesOf(env.request_id), ['failed']);
  });
});
