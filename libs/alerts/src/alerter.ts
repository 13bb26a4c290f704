import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Logger } from '@pressroom/logger';
import { cooldownKey, type Alert, type OutgoingAlert } from './alert.ts';
import { alertCounter } from './alert-metrics.ts';
import { createCooldownGate } from './cooldown-gate.ts';
import { createDeliveryQueue, type DeliveryOptions } from './delivery-queue.ts';
import type { AlertSink } from './sinks/sink.ts';

export interface AlerterDeps {
  service: string;
  /** Which replica raised it (host:pid); shown to on-call, not part of de-duplication. */
  instance: string;
  /** Shared by every replica; the service's client with its key prefix. */
  redis: Redis;
  logger: Logger;
  metrics: { registry: Registry };
  sinks: AlertSink[];
  cooldownSeconds: number;
  delivery?: Partial<DeliveryOptions>;
  redisTimeoutMs?: number;
  now?: () => Date;
}

export interface Alerter {
  /** Never throws; resolves after one Redis round trip (or its timeout). Delivery happens in the background. */
  raise(alert: Alert): Promise<void>;
  /** Resolves true once every queued alert is delivered or given up, false if `timeoutMs` passed first. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Stops taking alerts, waits up to `timeoutMs` for deliveries, abandons the rest, closes the sinks. */
  close(timeoutMs?: number): Promise<void>;
}

export const DEFAULT_DELIVERY: DeliveryOptions = { retryDelaysMs: [1000, 4000, 16000], maxQueue: 100, concurrency: 4 };

export function createAlerter(deps: AlerterDeps): Alerter {
  const { service, instance, logger, sinks } = deps;
  // SET EX takes whole seconds of at least one.
  const cooldownSeconds = Math.max(1, Math.round(deps.cooldownSeconds));
  const now = deps.now ?? (() => new Date());
  const count = alertCounter(deps.metrics.registry, logger);
  const gate = createCooldownGate({ redis: deps.redis, cooldownSeconds, logger, redisTimeoutMs: deps.redisTimeoutMs });
  const aborter = new AbortController();
  const options = { ...DEFAULT_DELIVERY, ...deps.delivery };
  const queues = sinks.map((sink) => ({
    sink,
    queue: createDeliveryQueue({ sink, options, logger, signal: aborter.signal, onOutcome: (a, outcome) => count(a.kind, outcome, sink.name) }),
  }));
  let closed = false;

  async function flush(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = Promise.all(queues.map((q) => q.queue.idle())).then(() => true);
    try {
      return await Promise.race([drained, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async raise(alert) {
      if (closed) return void logger.warn({ kind: alert.kind, summary: alert.summary }, 'alert raised after close; not delivered');
      try {
        const decision = await gate.claim(cooldownKey(alert));
        if (!decision.send) {
          count(alert.kind, 'suppressed', 'none');
          logger.debug({ kind: alert.kind, summary: alert.summary, suppressed: decision.suppressed }, 'alert suppressed within its cooldown');
          return;
        }
        const outgoing: OutgoingAlert = {
          ...alert,
          service,
          instance,
          time: now().toISOString(),
          suppressed: decision.suppressed,
          cooldown_s: cooldownSeconds,
        };
        // The log line is the alert of last resort: it exists even with no sink configured or every sink down.
        logger[alert.severity === 'critical' ? 'error' : 'warn']({ alert: outgoing }, `alert: ${alert.summary}`);
        for (const { sink, queue } of queues) {
          if (queue.push(outgoing)) continue;
          count(alert.kind, 'failed', sink.name);
          logger.error({ sink: sink.name, kind: alert.kind, summary: alert.summary }, `alert queue for ${sink.name} is full; alert dropped`);
        }
      } catch (err) {
        logger.error({ err, kind: alert.kind }, 'alert could not be raised');
      }
    },
    flush,
    async close(timeoutMs = 5000) {
      if (closed) return;
      closed = true;
      if (!(await flush(timeoutMs))) logger.warn('alerts still undelivered at close; abandoning them');
      aborter.abort();
      await flush(1000);
      for (const sink of sinks) await Promise.resolve(sink.close?.()).catch(() => undefined);
    },
  };
}
