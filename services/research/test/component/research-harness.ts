import { randomUUID } from 'node:crypto';
import type { Envelope, ResearchTask, WriteTask } from '@pressroom/contracts';
import { createEnvelope, publishTask } from '@pressroom/messaging';
import { runWorker } from '@pressroom/runtime';
import { cleanupBroker, cleanupRedis, collectEvents, testConfig, testId } from '@pressroom/test-support';
import { createResearchHandler, RESEARCH_ALERTING } from '../../src/research-handler.ts';

export const researchTask = (topic: string, audience?: string): ResearchTask => ({
  brief: { topic, ...(audience ? { audience } : {}), tone: 'neutral', length: 'short' },
  channel: { type: 'file' },
});

/**
 * A research worker on real RabbitMQ and Redis under its own prefixes, plus a consumer of the write queue
 * so a test can await the task it handed on.
 */
export async function startResearchWorker(settings: Record<string, string>) {
  const id = testId('research');
  const config = testConfig('research', id, settings);
  const events = await collectEvents(config.AMQP_PREFIX);
  const worker = await runWorker({
    service: 'research',
    stage: 'research',
    config,
    port: 0,
    createHandler: createResearchHandler,
    alerting: RESEARCH_ALERTING,
  });
  await worker.broker.waitForConnect();

  const writeTasks = new Map<string, Envelope<WriteTask>>();
  const waiters = new Map<string, (task: Envelope<WriteTask>) => void>();
  await worker.broker.consume(worker.broker.names.work('write'), async (delivery) => {
    const task = JSON.parse(delivery.message.content.toString()) as Envelope<WriteTask>;
    writeTasks.set(task.request_id, task);
    waiters.get(task.request_id)?.(task);
    delivery.ack();
  });

  return {
    config,
    events,
    metrics: worker.metrics,
    async submit(payload: ResearchTask): Promise<string> {
      const envelope = createEnvelope({ request_id: randomUUID(), user_id: randomUUID(), stage: 'research', payload });
      await publishTask(worker.broker, envelope);
      return envelope.request_id;
    },
    writeTask(requestId: string): Promise<Envelope<WriteTask>> {
      const seen = writeTasks.get(requestId);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.set(requestId, resolve));
    },
    async close(): Promise<void> {
      await worker.shutdown.shutdown();
      await events.close();
      await cleanupBroker(id);
      await cleanupRedis(id);
    },
  };
}

export type ResearchWorker = Awaited<ReturnType<typeof startResearchWorker>>;

/** A page with chrome around its article, so tests can tell extraction from a raw dump. */
export const ARTICLE_HTML = `<!doctype html><html><head><title>Starter guide</title><script>track()</script></head>
<body><nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav><header>Baking Weekly</header>
<article><h1>Keeping a sourdough starter</h1><p>A starter is flour and water &amp; wild yeast.</p><p>Feed it daily at room temperature.</p></article>
<footer>© Baking Weekly</footer></body></html>`;
export const ARTICLE_TEXT = 'Keeping a sourdough starter\n\nA starter is flour and water & wild yeast.\n\nFeed it daily at room temperature.';

/** A second page on the same subject, so a web search can meet its two-source minimum. */
export const FEEDING_HTML = `<!doctype html><html><head><title>Feeding schedule</title></head>
<body><article><h1>How often to feed a sourdough starter</h1><p>A sourdough starter kept at room temperature wants flour and water once a day.</p></article></body></html>`;
export const FEEDING_TEXT = 'How often to feed a sourdough starter\n\nA sourdough starter kept at room temperature wants flour and water once a day.';
