import { runTopology, connectBroker, type Binding } from '../support/broker-admin.ts';

export interface TapCounts {
  /** Messages routed through each of the run's exchanges, by `<exchange> <routing key>` (prefix removed). */
  byRoute: Record<string, number>;
  /** All of them; those the broker itself re-published (dead-lettered: a delay queue's TTL expiring into the
   * work queue, a task over its delivery limit) are counted apart in `deadLettered`. */
  total: number;
  deadLettered: number;
  /** Copies the broker wrote into the run's queues for those messages (a message bound to two queues is two). */
  enqueues: number;
  /** `retrying` stage events: each stands for one publish to a delay queue through the default exchange, which
   * no binding can observe. */
  retrying: number;
  unsupported: string[];
}

/** AMQP 0-9-1 topic matching: words split on '.', `*` is exactly one word, `#` zero or more. */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    return j < k.length && (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

function queuesFor(bindings: Binding[], exchange: string, type: string, key: string, prefix: string): number {
  const hits = new Set<string>();
  for (const b of bindings) {
    if (b.source !== exchange || b.kind !== 'queue' || !b.destination.startsWith(prefix)) continue;
    if (type === 'fanout' || (type === 'topic' ? topicMatches(b.routingKey, key) : b.routingKey === key)) hits.add(b.destination);
  }
  return hits.size;
}

/**
 * Counts the broker messages of a phase on the consuming side. RabbitMQ without the management plugin keeps
 * no per-exchange or per-queue message counters (its global counters cover the whole node, which other runs
 * share), so the bench binds one transient, exclusive classic queue of its own to every exchange of the run
 * (`#` on a topic exchange, every bound routing key on a direct one): it receives a copy of each message
 * routed through them, from which the counts per route, the broker's own dead-letter re-publishes, and, with
 * the run's bindings from `rabbitmqctl list_bindings`, the copies enqueued into the run's queues follow.
 * The copy costs the broker a little CPU, so the tap runs only in a phase whose CPU is not reported.
 * It also records when each request's stage events arrive (`marks`), for the latency breakdown.
 */
export async function startMessageTap(prefix: string) {
  const topology = await runTopology(prefix);
  const conn = await connectBroker();
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  const counts: TapCounts = { byRoute: {}, total: 0, deadLettered: 0, enqueues: 0, retrying: 0, unsupported: [] };
  const types = new Map(topology.exchanges.map((e) => [e.name, e.type]));
  for (const e of topology.exchanges) {
    const keys =
      e.type === 'topic'
        ? ['#']
        : e.type === 'fanout'
          ? ['']
          : e.type === 'direct'
            ? [...new Set(topology.bindings.filter((b) => b.source === e.name).map((b) => b.routingKey))]
            : [];
    if (keys.length === 0 && e.type !== 'direct') counts.unsupported.push(`${e.name} (${e.type})`);
    for (const key of keys) await ch.bindQueue(queue, e.name, key);
  }
  const fanout = new Map<string, number>();
  const marks = new Map<string, Record<string, number>>();

  await ch.consume(
    queue,
    (msg) => {
      if (!msg) return;
      const now = performance.now();
      const { exchange, routingKey } = msg.fields;
      const route = `${exchange.slice(prefix.length)} ${routingKey}`;
      counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
      counts.total++;
      if (msg.properties.headers?.['x-death']) counts.deadLettered++;
      const fk = `${exchange}\u0000${routingKey}`;
      let n = fanout.get(fk);
      if (n === undefined) fanout.set(fk, (n = queuesFor(topology.bindings, exchange, types.get(exchange) ?? 'direct', routingKey, prefix)));
      counts.enqueues += n;
      if (!exchange.endsWith('pressroom.events')) return;
      for (const e of stageEvents(msg.content)) {
        if (e.type === 'retrying') counts.retrying++;
        const m = marks.get(e.request_id) ?? {};
        // At-least-once delivery may repeat an event: the first one is the moment it happened.
        m[`${e.stage}.${e.type}`] ??= now;
        marks.set(e.request_id, m);
      }
    },
    { noAck: true },
  );

  return {
    counts: (): TapCounts => structuredClone(counts),
    marks,
    close: () => conn.close().catch(() => undefined),
  };
}

export type MessageTap = Awaited<ReturnType<typeof startMessageTap>>;

interface EventLike {
  request_id: string;
  stage: string;
  type: string;
}

/** One stage event per message today; a batch (an array, or `{ events: [...] }`) is read the same way. */
function stageEvents(content: Buffer): EventLike[] {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    return [];
  }
  const list = Array.isArray(body) ? body : Array.isArray((body as { events?: unknown })?.events) ? (body as { events: unknown[] }).events : [body];
  return list.filter(
    (e): e is EventLike => typeof e === 'object' && e !== null && typeof (e as EventLike).request_id === 'string' && typeof (e as EventLike).stage === 'string',
  );
}
