import * as amqplib from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '@pressroom/logger';
import { REQUEST_ID_HEADER, USER_ID_HEADER } from '@pressroom/telemetry';
import { declareTopology, topologyNames } from './topology.ts';

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
 * the topology, reopens the confirm channel and restarts every registered consumer. The connection is made
 * current (and consumers registered later start on it at once) only when `setup` has finished: a consumer
 * that started before the topology was declared would meet a queue that does not exist yet (404 NOT_FOUND).
 * Every channel and connection error is logged and recovered here; none becomes an uncaught exception.
 */
export async function createBroker(opts: BrokerOptions) {
  const names = topologyNames(opts.prefix);
  const log = opts.logger;
  const consumers: ConsumerSpec[] = [];
  const inFlight = new Set<Promise<void>>();
  const connectWaiters = new Set<{ resolve: () => void; reject: (err: Error) => void }>();
  let publisher: ConfirmChannel | undefined;
  /** The connection whose topology and consumers are in place; undefined while (re)connecting. */
  let model: ChannelModel | undefined;
  /** The connection that `setup` is working on, before it becomes `model`. */
  let settingUp: ChannelModel | undefined;
  let lastError: Error | undefined;
  let connectedOnce = false;
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
        settingUp = m;
        // Recovery listens on the connection only once setup is done; an error before that (a heartbeat
        // timeout, a forced close) would otherwise be an 'error' event nobody handles.
        m.on('error', (err: Error) => {
          if (settingUp === m) log.warn({ err }, 'broker connection error while setting up');
        });
        try {
          await openPublisher(m, true);
          // `consumers` may grow while this loop awaits; for...of sees the additions, and nothing awaits
          // between the loop's end and `model = m`, so every consumer starts exactly once.
          for (const c of consumers) await startConsumer(m, c);
        } catch (err) {
          lastError = err as Error;
          if (settingUp === m) settingUp = undefined;
          log.warn({ err }, 'broker set-up failed; reconnecting');
          throw err;
        }
        settingUp = undefined;
        model = m;
        connectedOnce = true;
        lastError = undefined;
        for (const w of connectWaiters) w.resolve();
        connectWaiters.clear();
        log.info({ consumers: consumers.length }, 'broker connected, topology declared');
      },
    },
  });
  connection.on('disconnect', (err: Error) => {
    publisher = undefined;
    model = undefined;
    lastError = err;
    if (!closing) log.warn({ err }, 'broker connection lost, reconnecting');
  });
  connection.on('error', (err: Error) => log.warn({ err }, 'broker connection error'));
  connection.on('connect-failed', (err: Error) => {
    lastError = err;
  });
  // Before the first connection the service's start-up wait says what it waits for; these are details.
  connection.on('reconnect-scheduled', ({ attempt, delay, error }: { attempt: number; delay: number; error?: Error }) =>
    log[connectedOnce ? 'info' : 'debug']({ attempt, delay_ms: delay, reason: error?.message }, 'broker reconnect scheduled'),
  );
  connection.on('reconnect-failed', (err: Error) => log.error({ err }, 'broker recovery gave up'));

  const isCurrent = (m: ChannelModel) => !closing && (model === m || settingUp === m);

  // amqplib's recovery only handles a lost connection; a channel the broker closes on its own (a channel-level
  // error, consumer_timeout) is reopened here, with backoff, as long as its connection is still the current one.
  function reopenLater(m: ChannelModel, what: string, reopen: () => Promise<void>, attempt = 1): void {
    if (!isCurrent(m)) return;
    if (attempt === 1) log.warn({ channel: what }, 'channel closed; reopening');
    setTimeout(
      () => {
        if (!isCurrent(m)) return;
        reopen().catch((err: unknown) => {
          log.warn({ err, channel: what, attempt }, 'could not reopen channel; retrying');
          reopenLater(m, what, reopen, attempt + 1);
        });
      },
      Math.min(1000 * 2 ** (attempt - 1), 10_000),
    ).unref();
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
    try {
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
            log.error({ err, queue: spec.queue, ...messageIds(message) }, 'handler failed unexpectedly; requeueing');
            settle(() => ch.nack(message, false, true));
          })
          .finally(() => inFlight.delete(work));
        inFlight.add(work);
      });
      spec.channel = ch;
      spec.tag = consumerTag;
    } catch (err) {
      // A failed declare or consume closes the channel broker-side already; close ours if it is still open.
      await ch.close().catch(() => undefined);
      throw err;
    }
  }

  /** `body` as JSON; a Buffer goes as it is (a message put back unchanged). */
  async function publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const ch = publisher;
    if (!ch) throw new BrokerUnavailableError('broker is not connected');
    const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    await new Promise<void>((resolve, reject) => {
      ch.publish(exchange, routingKey, content, { persistent: true, contentType: 'application/json', ...options }, (err) =>
        err ? reject(new BrokerUnavailableError(`publish not confirmed: ${String(err)}`)) : resolve(),
      );
    });
  }

  return {
    names,
    publish,
    isConnected: () => model !== undefined && publisher !== undefined,
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
    /**
     * Resolves once the topology is declared and every registered consumer runs; with `timeoutMs`, rejects
     * after that long with the last reason the broker gave (refused, unknown vhost, bad credentials).
     */
    waitForConnect(timeoutMs?: number): Promise<void> {
      if (model) return Promise.resolve();
      if (closing) return Promise.reject(new BrokerUnavailableError('broker connection closed'));
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (err: Error) => {
            clearTimeout(timer);
            reject(err);
          },
        };
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                connectWaiters.delete(waiter);
                reject(new BrokerUnavailableError(lastError?.message ?? `not connected within ${timeoutMs} ms`));
              }, timeoutMs);
        connectWaiters.add(waiter);
      });
    },
    /** Registers a consumer; it starts now if connected, else on the next (re)connect. Never rejects on a channel error. */
    async consume(queue: string, handler: DeliveryHandler, declare?: (ch: Channel) => Promise<void>): Promise<void> {
      const spec: ConsumerSpec = { queue, handler, ...(declare ? { declare } : {}) };
      consumers.push(spec);
      const m = model;
      if (!m) return;
      try {
        await startConsumer(m, spec);
      } catch (err) {
        log.warn({ err, queue }, 'could not start consumer; retrying');
        reopenLater(m, queue, () => startConsumer(m, spec));
      }
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
      for (const w of connectWaiters) w.reject(new BrokerUnavailableError('broker connection closed'));
      connectWaiters.clear();
      await connection.close().catch(() => undefined);
    },
  };
}

export type Broker = Awaited<ReturnType<typeof createBroker>>;

export class BrokerUnavailableError extends Error {
  readonly code = 'broker_unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

/**
 * The ids a message carries outside its body, for a line logged after its handler's log context has ended: the
 * headers every publisher sets (taskProperties, publishEvent), and a task's stage in its `type`.
 */
function messageIds(message: ConsumeMessage) {
  const headers = message.properties.headers;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { request_id: text(headers?.[REQUEST_ID_HEADER]), user_id: text(headers?.[USER_ID_HEADER]), stage: text(message.properties.type) };
}

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (!u.searchParams.has(k)) u.searchParams.set(k, v);
  return u.toString();
}
