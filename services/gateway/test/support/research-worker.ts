import type { Breakers } from '@pressroom/resilience';
import { runWorker, type RunningWorker } from '@pressroom/runtime';
import { testConfig } from '@pressroom/test-support';
import type { startTestGateway } from './gateway-harness.ts';

/**
 * A research worker on a test gateway's queue and Redis prefixes, whose "provider" is `fail`: it throws (or
 * trips a breaker) for the topics a test wants to go wrong, and any topic it lets pass is researched into one
 * fixed source. For tests of what the gateway shows of failures: dead letters, replays, breakers, queues.
 */
export async function startResearchWorker(
  h: Awaited<ReturnType<typeof startTestGateway>>,
  fail: (topic: string, breakers: Breakers) => Promise<void> | void,
  settings: Record<string, string> = {},
): Promise<RunningWorker> {
  const config = testConfig('research', h.id, { AMQP_PREFIX: h.config.AMQP_PREFIX, REDIS_KEY_PREFIX: h.config.REDIS_KEY_PREFIX, ...settings });
  const worker = await runWorker({
    service: 'research',
    stage: 'research',
    config,
    port: 0,
    createHandler:
      ({ breakers }) =>
      async (task) => {
        await fail(task.payload.brief.topic, breakers);
        return { next: { ...task.payload, sources: [{ title: 'T', url: 'file:///t', snippet: 's', text: 'x' }] } };
      },
  });
  await worker.broker.waitForConnect();
  return worker;
}
