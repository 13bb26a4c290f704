import { Gauge } from 'prom-client';
import type { Stage } from '@pressroom/contracts';
import type { Broker } from '@pressroom/messaging';
import type { Metrics } from '@pressroom/telemetry';

/**
 * A gauge of ready messages in broker queues, read from the broker at scrape time: one series per queue, labelled
 * by `labels`. A queue the broker cannot count right now keeps its last value. Registered once per registry (a test
 * that builds a service twice on one registry gets the first).
 */
export function registerBrokerDepthGauge<L extends string>(
  metrics: Metrics,
  broker: Broker,
  gauge: { name: string; help: string; labelNames: readonly L[] },
  queues: ReadonlyArray<{ name: string; labels: Record<L, string> }>,
): void {
  if (metrics.registry.getSingleMetric(gauge.name)) return;
  new Gauge({
    name: gauge.name,
    help: gauge.help,
    labelNames: gauge.labelNames,
    registers: [metrics.registry],
    async collect() {
      const counts = await Promise.all(queues.map((q) => broker.messageCount(q.name)));
      counts.forEach((n, i) => {
        if (n !== undefined) this.set(queues[i]!.labels, n);
      });
    },
  });
}

/**
 * `pressroom_queue_depth{stage, queue}`: ready messages in this worker's work, delay and dead-letter queues,
 * read from the broker at scrape time (KEDA and PressroomStageNotConsuming read the same numbers).
 */
export function registerQueueDepth(metrics: Metrics, broker: Broker, stage: Stage, delayLevels: number): void {
  const queues = [
    { name: broker.names.work(stage), labels: { stage, queue: 'work' } },
    { name: broker.names.dead(stage), labels: { stage, queue: 'dead' } },
    ...Array.from({ length: delayLevels }, (_, i) => ({ name: broker.names.delay(stage, i), labels: { stage, queue: `delay.${i}` } })),
  ];
  registerBrokerDepthGauge(
    metrics,
    broker,
    { name: 'pressroom_queue_depth', help: 'Ready messages in a pipeline queue', labelNames: ['stage', 'queue'] },
    queues,
  );
}
