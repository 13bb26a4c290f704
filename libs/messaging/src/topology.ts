import type { Channel } from 'amqplib';
import { STAGES, type Stage } from '@pressroom/contracts';

/** Every exchange and queue name in one place; `prefix` isolates test runs and is empty in production. */
export function topologyNames(prefix = '') {
  return {
    tasks: `${prefix}pressroom.tasks`,
    events: `${prefix}pressroom.events`,
    dlx: `${prefix}pressroom.dlx`,
    work: (stage: Stage) => `${prefix}${stage}.tasks`,
    delay: (stage: Stage, level: number) => `${prefix}${stage}.delay.${level}`,
    dead: (stage: Stage) => `${prefix}${stage}.dead`,
    eventsQueue: `${prefix}gateway.events`,
    eventsDead: `${prefix}events.dead`,
    eventsRetry: `${prefix}events.retry`,
  };
}
export type TopologyNames = ReturnType<typeof topologyNames>;

// Quorum queues dead-letter at-least-once only with reject-publish overflow
// (https://www.rabbitmq.com/docs/quorum-queues#dead-lettering).
const quorum = { 'x-queue-type': 'quorum', 'x-overflow': 'reject-publish', 'x-dead-letter-strategy': 'at-least-once' };

/** Idempotent: safe to run on every (re)connect from every replica. */
export async function declareTopology(ch: Channel, names: TopologyNames, delaysMs: readonly number[]): Promise<void> {
  await ch.assertExchange(names.tasks, 'direct', { durable: true });
  await ch.assertExchange(names.events, 'topic', { durable: true });
  await ch.assertExchange(names.dlx, 'direct', { durable: true });
  for (const stage of STAGES) {
    await ch.assertQueue(names.work(stage), {
      durable: true,
      // A task that keeps crashing its worker is dead-lettered instead of looping forever.
      arguments: { ...quorum, 'x-dead-letter-exchange': names.dlx, 'x-dead-letter-routing-key': stage, 'x-delivery-limit': 10 },
    });
    await ch.bindQueue(names.work(stage), names.tasks, stage);
    await ch.assertQueue(names.dead(stage), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.bindQueue(names.dead(stage), names.dlx, stage);
    // One queue per backoff level with a queue-level TTL: a per-message TTL in one shared queue only
    // expires at the head, so a long delay would hold every short one behind it.
    for (const [level, ttl] of delaysMs.entries()) {
      await ch.assertQueue(names.delay(stage, level), {
        durable: true,
        arguments: { ...quorum, 'x-message-ttl': ttl, 'x-dead-letter-exchange': names.tasks, 'x-dead-letter-routing-key': stage },
      });
    }
  }
  // `events.dead` parks what the tracker can never record: events it cannot parse (it moves them there) and, by
  // the delivery limit, one that keeps crashing it. A stage event it could not record because PostgreSQL stayed
  // away longer than it holds a batch is moved (as a new message) to `events.retry` instead, which hands it back
  // through `pressroom.events` after the longest backoff: the tracker's writes are idempotent, and a parked event
  // would leave its request in flight for good. The tracker moves it, not the broker: RabbitMQ drops a message
  // that its own dead-lettering brings back to a queue it died in.
  await ch.assertQueue(names.eventsDead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(names.eventsDead, names.dlx, 'events');
  await ch.assertQueue(names.eventsRetry, {
    durable: true,
    arguments: {
      ...quorum,
      'x-message-ttl': delaysMs.at(-1) ?? 60_000,
      'x-dead-letter-exchange': names.events,
      'x-dead-letter-routing-key': 'request.retried',
    },
  });
  // Every service declares the tracker's queue, not only the gateway: a stage event published before the gateway
  // first started on a fresh vhost (or while it is down) would otherwise be unroutable, and silently dropped.
  await declareEventsQueue(ch, names);
}

export async function declareEventsQueue(ch: Channel, names: TopologyNames): Promise<void> {
  await ch.assertQueue(names.eventsQueue, {
    durable: true,
    arguments: { ...quorum, 'x-dead-letter-exchange': names.dlx, 'x-dead-letter-routing-key': 'events', 'x-delivery-limit': 10 },
  });
  await ch.bindQueue(names.eventsQueue, names.events, 'request.#');
}
