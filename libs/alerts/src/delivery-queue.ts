import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@pressroom/logger';
import { inBackground } from '@pressroom/telemetry';
import type { OutgoingAlert } from './alert.ts';
import type { AlertSink } from './sinks/sink.ts';

export interface DeliveryOptions {
  /** Waits before each retry; attempts = 1 + its length. */
  retryDelaysMs: readonly number[];
  /** Alerts waiting or in flight for one sink; past it new alerts for that sink are dropped (and counted). */
  maxQueue: number;
  concurrency: number;
}

/**
 * Why a delivery failed, without the URL: got puts "POST <url>" in its messages, and a Slack incoming-webhook
 * URL is a secret (its path is the token). URLs in messages are cut to their host.
 */
export function failureReason(err: unknown): string {
  const e = err as { code?: string; message?: string; response?: { statusCode?: number } };
  if (e.response?.statusCode) return `HTTP ${e.response.statusCode}`;
  const message = (e.message ?? String(err)).replace(/\b([a-z][a-z0-9+.-]*:\/\/)(?:[^@\s/]*@)?([^/\s]+)\S*/gi, '$1$2/…');
  return [e.code, message].filter(Boolean).join(' ');
}

/**
 * A bounded, per-sink background queue, so one slow or failing sink delays neither the caller nor the other
 * sinks. Each alert is tried, then retried after each delay, then given up on (logged and counted).
 */
export function createDeliveryQueue(deps: {
  sink: AlertSink;
  options: DeliveryOptions;
  logger: Logger;
  signal: AbortSignal;
  onOutcome: (alert: OutgoingAlert, outcome: 'sent' | 'failed') => void;
}) {
  const { sink, options, logger, signal, onOutcome } = deps;
  const pending: OutgoingAlert[] = [];
  let active = 0;
  let idleWaiters: Array<() => void> = [];

  async function deliver(alert: OutgoingAlert): Promise<void> {
    const ids = { request_id: alert.request_id, stage: alert.stage };
    for (let attempt = 1; ; attempt++) {
      try {
        if (signal.aborted) throw new Error('alerter closed before delivery');
        await sink.send(alert, signal);
        onOutcome(alert, 'sent');
        logger.debug({ ...ids, sink: sink.name, kind: alert.kind, attempt }, 'alert delivered');
        return;
      } catch (err) {
        const delay = options.retryDelaysMs[attempt - 1];
        if (delay === undefined || signal.aborted) {
          onOutcome(alert, 'failed');
          logger.error(
            { ...ids, sink: sink.name, kind: alert.kind, summary: alert.summary, attempt, reason: failureReason(err) },
            `alert could not be delivered to ${sink.name}`,
          );
          return;
        }
        logger.warn(
          { ...ids, sink: sink.name, kind: alert.kind, attempt, retry_in_ms: delay, reason: failureReason(err) },
          `alert delivery to ${sink.name} failed; retrying`,
        );
        await sleep(delay, undefined, { signal, ref: false }).catch(() => undefined);
      }
    }
  }

  function pump(): void {
    while (active < options.concurrency && pending.length > 0) {
      const alert = pending.shift() as OutgoingAlert;
      active += 1;
      // A queued alert is started by an earlier delivery's `finally`, so it would run in that earlier caller's
      // context: its lines would carry the other alert's ids and its sink's POST span would join the other trace.
      // Each delivery runs in no caller's context and names its own alert's request (`ids`) instead.
      void inBackground(() => deliver(alert)).finally(() => {
        active -= 1;
        pump();
      });
    }
    if (active === 0 && pending.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  return {
    /** False when the queue is full: the alert is not delivered to this sink. */
    push(alert: OutgoingAlert): boolean {
      if (pending.length + active >= options.maxQueue) return false;
      pending.push(alert);
      pump();
      return true;
    },
    idle(): Promise<void> {
      if (active === 0 && pending.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
