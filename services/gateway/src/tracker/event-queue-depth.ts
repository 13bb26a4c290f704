import { Gauge } from 'prom-client';
import type { Broker } from '@pressroom/messaging';
import type { Metrics } from '@pressroom/telemetry';

/**
 * `pressroom_event_queue_depth{queue}`: ready stage events in the gateway's own queues, read from the broker at
 * scrape time. `work` is `gateway.events`, the tracker's backlog (what the API's status lag is made of); `retry`
 * is `events.retry`, events waiting out a PostgreSQL outage; `dead` is `events.dead`, events the tracker can never
 * record, each a request whose timeline or status misses a step (PressroomStageEventsParked).
 */
export function registerEventQueueDepth(metrics: Metrics, broker: Broker): void {
  if (metrics.registry.getSingleMetric('pressroom_event_queue_depth')) return;
  const queues = [
    { kind: 'work', name: broker.names.eventsQueue },
    { kind: 'retry', name: broker.names.eventsRetry },
    { kind: 'dead', name: broker.names.eventsDead },
  ];
  new Gauge({
    name: 'pressroom_event_queue_depth',
    help: "Ready stage events in the gateway's queues (work: the tracker's backlog, retry, dead: never recorded)",
    labelNames: ['queue'],
    registers: [metrics.registry],
    async collect() {
      const counts = await Promise.all(queues.map((q) => broker.messageCount(q.name)));
      counts.forEach((n, i) => {
        if (n !== undefined) this.set({ queue: queues[i]!.kind }, n);
      });
    },
  });
}
