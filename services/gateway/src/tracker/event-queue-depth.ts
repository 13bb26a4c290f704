import type { Broker } from '@pressroom/messaging';
import { registerBrokerDepthGauge } from '@pressroom/runtime';
import type { Metrics } from '@pressroom/telemetry';

/**
 * `pressroom_event_queue_depth{queue}`: ready stage events in the gateway's own queues, read from the broker at
 * scrape time. `work` is `gateway.events`, the tracker's backlog (what the API's status lag is made of); `retry`
 * is `events.retry`, events waiting out a PostgreSQL outage; `dead` is `events.dead`, events the tracker can never
 * record, each a request whose timeline or status misses a step (PressroomStageEventsParked).
 */
export function registerEventQueueDepth(metrics: Metrics, broker: Broker): void {
  registerBrokerDepthGauge(
    metrics,
    broker,
    {
      name: 'pressroom_event_queue_depth',
      help: "Ready stage events in the gateway's queues (work: the tracker's backlog, retry, dead: never recorded)",
      labelNames: ['queue'],
    },
    [
      { name: broker.names.eventsQueue, labels: { queue: 'work' } },
      { name: broker.names.eventsRetry, labels: { queue: 'retry' } },
      { name: broker.names.eventsDead, labels: { queue: 'dead' } },
    ],
  );
}
