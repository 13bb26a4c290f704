import * as amqplib from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '@pressroom/logger';
import { declareTopology, topologyNames, type TopologyNames } from './topology.ts';

export interface BrokerOptions {
  url: string;
  prefix: string;
  prefetch: number;
  heartbeatS: number;
  delaysMs: readonly number[];
  logger: Logger;
  connectionName: string;
}

export interface Delivery {
  message: ConsumeMessage;
  ack(): void;
  /** Returns the message to its queue (or, past the delivery limit, to the dead-letter exchange). */
  requeue(): void;
  /** Refuses the message without requeueing: the queue's dead-letter exchange takes it. */
  reject(): void;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

interface ConsumerSpec {
  queue: string;
  handler: DeliveryHandler;
  declare?: (ch: Channel) => Promise<void>;
  channel?: Channel;
  tag?: string;
}

/**
 * One recovering AMQP connection: amqplib's recovery re-runs `setup` after every reconnect, which re-declares
 * the topology, reopens the confirm channel and restarts every registered consumer.
 */
export async function createBroker(opts: BrokerOptions) {
  const names = topologyNames(opts.prefix);
  const log = opts.logger;
  const consumers: ConsumerSpec[] = [];
  const inFlight = new Set<Promise<void>>();
  let publisher: ConfirmChannel | undefined;
  let model: ChannelModel | undefined;
  let closing = false;

  const url = withQuery(opts.url, { heartbeat: String(opts.heartbeatS) });
  const connection = await amqplib.connect(url, {
    // amqplib leaves Nagle's algorithm on: each confirmed publish then waits ~40 ms for a delayed ACK.
    noDelay: true,
    clientProperties: { connection_name: opts.connectionName },
    recovery: {
      initialDelay: 250,
      maxDelay: 10_000,
      waitForConnect: false,
      setup: async (m: ChannelModel) => {
        model = m;
        await openPublisher(m, true);
        for (const c of consumers) await startConsumer(m, c);
        log.info({ consumers: consumers.length }, 'broker connected, topology declared');
      },
    },
  });
  connection.on('disconnect', (err: Error) => {
    publisher = undefined;
    model = undefined;
    if (!closing) log.warn({ err }, 'broker connection lost, reconnecting');
  });
  connection.on('error', (err: Error) => log.warn({ err }, 'broker connection error'));
  connection.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
    log.info({ attempt, delay_ms: delay }, 'broker reconnect scheduled'),
  );

  // amqplib's recovery only handles a lost connection; a channel the broker closes on its own (a channel-level
  // error, consumer_timeout) is reopened here, as long as its connection is still the current one.
  function reopenLater(m: ChannelModel, what: string, reopen: () => Promise<void>): void {
    if (closing || model !== m) return;
    log.warn({ channel: what }, 'channel closed by the broker; reopening');
    setTimeout(() => {
      if (closing || model !== m) return;
      reopen().catch((err: unknown) => log.warn({ err, channel: what }, 'could not reopen channel'));
    }, 1000).unref();
  }

  async function openPublisher(m: ChannelModel, declare: boolean): Promise<void> {
    const ch = await m.createConfirmChannel();
    ch.on('error', (err: Error) => log.warn({ err }, 'publish channel error'));
    ch.on('close', () => {
      if (publisher !== ch) return;
      publisher = undefined;
      reopenLater(m, 'publish', () => openPublisher(m, false));
    });
    if (declare) await declareTopology(ch, names, opts.delaysMs);
    publisher = ch;
  }

  async function startConsumer(m: ChannelModel, spec: ConsumerSpec): Promise<void> {
    if (!consumers.includes(spec)) return;
    const ch = await m.createChannel();
    ch.on('error', (err: Error) => log.warn({ err, queue: spec.queue }, 'consumer channel error'));
    ch.on('close', () => {
      if (spec.channel === ch && consumers.includes(spec)) reopenLater(m, spec.queue, () => startConsumer(m, spec));
    });
    await ch.prefetch(opts.prefetch);
    if (spec.declare) await spec.declare(ch);
    const { consumerTag } = await ch.consume(spec.queue, (message) => {
      if (!message) return; // the broker cancelled the consumer (queue deleted); recovery re-subscribes
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        try {
          fn();
        } catch (err) {
          log.warn({ err }, 'ack failed: channel closed, the broker will redeliver');
        }
      };
      const work = spec
        .handler({
          message,
          ack: () => settle(() => ch.ack(message)),
          requeue: () => settle(() => ch.nack(message, false, true)),
          reject: () => settle(() => ch.nack(message, false, false)),
        })
        .catch((err: unknown) => {
          log.error({ err, queue: spec.queue }, 'handler failed unexpectedly; requeueing');
          settle(() => ch.nack(message, false, true));
        })
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    });
    spec.channel = ch;
    spec.tag = consumerTag;
  }

  async function publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const ch = publisher;
    if (!ch) throw new BrokerUnavailableError('broker is not connected');
    const content = Buffer.from(JSON.stringify(body));
    await new Promise<void>((resolve, reject) => {
      ch.publish(exchange, routingKey, content, { persistent: true, contentType: 'application/json', ...options }, (err) =>
        err ? reject(new BrokerUnavailableError(`publish not confirmed: ${String(err)}`)) : resolve(),
      );
    });
  }

  return {
    names,
    publish,
    isConnected: () => publisher !== undefined,
    /** Ready messages in a queue, through a throwaway channel (a missing queue closes the channel it was asked on). */
    async messageCount(queue: string): Promise<number | undefined> {
      if (!model) return undefined;
      const ch = await model.createChannel();
      ch.on('error', () => undefined);
      try {
        return (await ch.checkQueue(queue)).messageCount;
      } catch {
        return undefined;
      } finally {
        await ch.close().catch(() => undefined);
      }
    },
    async waitForConnect(): Promise<void> {
      await connection.waitForConnect();
      while (!publisher) await new Promise((r) => setTimeout(r, 20));
    },
    async consume(queue: string, handler: DeliveryHandler, declare?: (ch: Channel) => Promise<void>): Promise<void> {
      const spec: ConsumerSpec = { queue, handler, ...(declare ? { declare } : {}) };
      consumers.push(spec);
      if (model) await startConsumer(model, spec);
    },
    /** Stops taking new deliveries and waits (bounded) for the ones in progress to settle. */
    async stopConsuming(timeoutMs: number): Promise<void> {
      await Promise.all(consumers.map(async (c) => c.channel && c.tag && c.channel.cancel(c.tag).catch(() => undefined)));
      consumers.length = 0;
      const deadline = new Promise((r) => setTimeout(r, timeoutMs).unref());
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
    },
    async close(): Promise<void> {
      closing = true;
      await connection.close().catch(() => undefined);
    },
  };
}

export type Broker = Awaited<ReturnType<typeof createBroker>>;
export type { TopologyNames };

export class BrokerUnavailableError extends Error {
  readonly code = 'broker_unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (!u.searchParams.has(k)) u.searchParams.set(k, v);
  return u.toString();
}
