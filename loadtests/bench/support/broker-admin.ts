import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as amqplib from 'amqplib';
import { BASE_URLS } from '@pressroom/test-support';

const run = promisify(execFile);

/**
 * What RabbitMQ itself can tell without the management plugin (not enabled here, and `collect_statistics`
 * is `none`, so there are no per-queue or per-channel message rates): `rabbitmqctl list_*` with the JSON
 * formatter for the topology, and the node's global counters (`rabbit_global_counters`, RabbitMQ 3.9+),
 * which count every publish, route, delivery, ack and dead-lettering, but for the whole node, not per vhost.
 */
async function rabbitmqctl(args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function listJson<T>(what: string, fields: string[]): Promise<T[]> {
  const out = await rabbitmqctl([what, '-q', '--formatter', 'json', ...fields]);
  return JSON.parse(out.trim() || '[]') as T[];
}

export interface Binding {
  source: string;
  destination: string;
  kind: 'queue' | 'exchange';
  routingKey: string;
}

export interface RunTopology {
  exchanges: Array<{ name: string; type: string }>;
  queues: string[];
  /** Bindings whose source is one of the run's exchanges. */
  bindings: Binding[];
}

export async function runTopology(prefix: string): Promise<RunTopology> {
  const [exchanges, queues, bindings] = await Promise.all([
    listJson<{ name: string; type: string }>('list_exchanges', ['name', 'type']),
    listJson<{ name: string }>('list_queues', ['name']),
    listJson<{ source_name: string; destination_name: string; destination_kind: 'queue' | 'exchange'; routing_key: string }>('list_bindings', [
      'source_name',
      'destination_name',
      'destination_kind',
      'routing_key',
    ]),
  ]);
  const own = exchanges.filter((e) => e.name.startsWith(prefix));
  const ownNames = new Set(own.map((e) => e.name));
  return {
    exchanges: own,
    queues: queues.map((q) => q.name).filter((n) => n.startsWith(prefix)),
    bindings: bindings
      .filter((b) => ownNames.has(b.source_name))
      .map((b) => ({ source: b.source_name, destination: b.destination_name, kind: b.destination_kind, routingKey: b.routing_key })),
  };
}

/** The node-wide counters, flattened: `amqp091 messages_received_total`, `amqp091 quorum messages_delivered_total`, … */
export async function brokerCounters(): Promise<Record<string, number> | undefined> {
  const expr =
    'M = rabbit_global_counters:overview(), iolist_to_binary([[io_lib:format("~w", [K]), " ", atom_to_list(C), " ", integer_to_list(V), "\\n"] || {K, Cs} <- maps:to_list(M), {C, V} <- maps:to_list(Cs)]).';
  try {
    const out = await rabbitmqctl(['eval', expr]);
    const text = out.trim().replace(/^<<"/, '').replace(/">>$/, '').replace(/\\n/g, '\n');
    const counters: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^\[(.*)\] (\w+) (-?\d+)$/.exec(line.trim());
      if (!m) continue;
      const labels = [...m[1]!.matchAll(/\{\w+,(\w+)\}/g)].map((x) => x[1]!.replace(/^rabbit_(\w+)_queue$/, '$1'));
      counters[[...labels, m[2]].join(' ')] = Number(m[3]);
    }
    return Object.keys(counters).length > 0 ? counters : undefined;
  } catch {
    return undefined;
  }
}

export function counterDelta(before: Record<string, number> | undefined, after: Record<string, number> | undefined): Record<string, number> | undefined {
  if (!before || !after) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (k.endsWith('_total') && v - (before[k] ?? 0) !== 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** Messages waiting in a queue; -1 when it does not exist. A fresh channel each time: a failed check closes it. */
export async function queueDepth(conn: amqplib.ChannelModel, queue: string): Promise<number> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  try {
    return (await ch.checkQueue(queue)).messageCount;
  } catch {
    return -1;
  } finally {
    await ch.close().catch(() => undefined);
  }
}

export async function purgeQueue(conn: amqplib.ChannelModel, queue: string): Promise<void> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  await ch.purgeQueue(queue).catch(() => undefined);
  await ch.close().catch(() => undefined);
}

export const connectBroker = () => amqplib.connect(BASE_URLS.rabbitmq);

/**
 * Deletes every queue and exchange named with the run's prefix, whatever declared it: test-support's cleanup
 * knows the names of today's topology, this also removes queues a newer version of the services adds.
 */
export async function deleteRunObjects(prefix: string): Promise<void> {
  const topology = await runTopology(prefix).catch(() => undefined);
  if (!topology) return;
  const conn = await connectBroker();
  try {
    for (const q of topology.queues) {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteQueue(q).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    for (const e of topology.exchanges) {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteExchange(e.name).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
}
