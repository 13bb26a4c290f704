import { Gauge } from 'prom-client';
import type { Stage } from '@pressroom/contracts';
import type { Broker } from '@pressroom/messaging';
import type { Metrics } from '@pressroom/telemetry';

/**
 * `pressroom_queue_depth{stage, queue}`: ready messages in this worker's work, delay and dead-letter queues,
 * read from the broker at scrape time (KEDA and PressroomStageNotConsuming read the same numbers).
 */
export function registerQueueDepth(metrics: Metrics, broker: Broker, stage: Stage, delayLevels: number): void {
  const queues: Array<{ kind: string; name: string }> = [
    { kind: 'work', name: broker.names.work(stage) },
    { kind: 'dead', name: broker.names.dead(stage) },
    ...Array.from({ length: delayLevels }, (_, i) => ({ kind: `delay.${i}`, name: broker.names.delay(stage, i) })),
  ];
  new Gauge({
    name: 'pressroom_queue_depth',
    help: 'Ready messages in a pipeline queue',
    labelNames: ['stage', 'queue'],
    registers: [metrics.registry],
    async collect() {
      const counts = await Promise.all(queues.map((q) => broker.messageCount(q.name)));
      counts.forEach((n, i) => {
        if (n !== undefined) this.set({ stage, queue: queues[i]!.kind }, n);
      });
    },
  });
}
