// Where Prometheus runs, ALERT_STAGE_LATENCY_MS is unset and its rules own latency: a slow stage attempt must not
// raise the in-process high_latency alert (docs/operations.md#who-sends-which-alert).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { permanentError } from '@pressroom/contracts';
import { pollUntil } from '@pressroom/test-support';
import { researchPayload, SOURCE, startStageWorker, type StageWorker } from '../support/stage-worker.ts';

describe('worker without ALERT_STAGE_LATENCY_MS (real RabbitMQ and Redis)', () => {
  let w: StageWorker<'research'>;

  before(async () => {
    w = await startStageWorker({
      label: 'latoff',
      stage: 'research',
      alertSink: true,
      createHandler: () => async (task) => {
        if (task.payload.brief.topic === 'gone') throw permanentError('upstream_404', 'the page is gone');
        await new Promise((r) => setTimeout(r, 300));
        return { next: { ...task.payload, sources: [SOURCE] } };
      },
    });
    assert.equal(w.config.ALERT_STAGE_LATENCY_MS, undefined);
  });
  after(() => w.close());

  const kinds = () => w.alerts().map((a) => a.kind);

  it('when a stage attempt takes long, then no high_latency alert is raised, while event alerts still are', async () => {
    const slow = (await w.submit(researchPayload('slow'))).request_id;
    await w.events.waitFor((e) => e.request_id === slow && e.type === 'completed');
    // The dead letter comes after the slow attempt completed: once its alert is delivered, a high_latency alert
    // raised at that completion would have been delivered before it.
    await w.submit(researchPayload('gone'));
    await pollUntil('the dead_letter alert', () => (kinds().includes('dead_letter') ? true : undefined), { lastSeen: () => kinds().join(', ') });
    assert.deepEqual(kinds(), ['dead_letter']);
  });
});
