import { Gauge, type Registry } from 'prom-client';
import { gatewayCounter as counter } from '../http/extra-metrics.ts';
import type { Db } from '../db/pool.ts';
import { readDeliveryLag } from './delivery-store.ts';

/** How one callback attempt ended: answered 2xx, answered anything else, never answered, or refused by the outbound guard. */
export type AttemptOutcome = 'delivered' | 'rejected' | 'unreachable' | 'refused';

export interface DeliveryMetrics {
  attempted(outcome: AttemptOutcome): void;
  /** A delivery that is done: delivered, or failed for good after WEBHOOK_MAX_ATTEMPTS. */
  finished(result: 'delivered' | 'failed'): void;
  endpointDisabled(): void;
}

/**
 * The completion callbacks' counters: `pressroom_webhook_attempts_total{outcome}`, `pressroom_webhook_deliveries_total{result}`
 * and `pressroom_webhook_endpoints_disabled_total`. Labels are outcomes only, never an endpoint or a host.
 */
export function createDeliveryMetrics(registry: Registry): DeliveryMetrics {
  const attempts = counter(registry, 'pressroom_webhook_attempts_total', 'Completion-callback attempts, by how they ended', ['outcome'] as const);
  const deliveries = counter(registry, 'pressroom_webhook_deliveries_total', 'Completion callbacks done: delivered, or failed after the last attempt', [
    'result',
  ] as const);
  const disabled = counter(registry, 'pressroom_webhook_endpoints_disabled_total', 'Webhook endpoints disabled after a run of failed attempts', []);
  // Every series from the start, at 0: a rate over a gateway that has sent no callback yet is 0, not "no data".
  for (const outcome of ['delivered', 'rejected', 'unreachable', 'refused'] satisfies AttemptOutcome[]) attempts.inc({ outcome }, 0);
  for (const result of ['delivered', 'failed']) deliveries.inc({ result }, 0);
  return {
    attempted: (outcome) => attempts.inc({ outcome }),
    finished: (result) => deliveries.inc({ result }),
    endpointDisabled: () => disabled.inc(),
  };
}

/**
 * `pressroom_webhook_delivery_lag_seconds` (how long the most overdue callback of an enabled endpoint has been due
 * and not taken up; 0 when none is) and `pressroom_webhook_endpoints_due` (enabled endpoints with such a callback),
 * read from PostgreSQL at scrape time. The same on every replica (the table is shared): alert on their max. A
 * callback being sent, or waiting out its backoff, is not due; a disabled endpoint's callbacks wait for its owner.
 * A scrape that cannot read them keeps the last values.
 */
export function registerDeliveryLag(registry: Registry, db: Db): void {
  if (registry.getSingleMetric('pressroom_webhook_delivery_lag_seconds')) return;
  let reading: Promise<{ lagS: number; endpointsDue: number } | undefined> | undefined;
  // Both gauges' collect() run in one scrape: one query serves them.
  const read = () =>
    (reading ??= readDeliveryLag(db)
      .catch(() => undefined)
      .finally(() => (reading = undefined)));
  new Gauge({
    name: 'pressroom_webhook_delivery_lag_seconds',
    help: 'How long the most overdue completion callback of an enabled endpoint has been due (0: none is)',
    registers: [registry],
    async collect() {
      const r = await read();
      if (r) this.set(r.lagS);
    },
  });
  new Gauge({
    name: 'pressroom_webhook_endpoints_due',
    help: 'Enabled webhook endpoints with a completion callback due and not yet taken up',
    registers: [registry],
    async collect() {
      const r = await read();
      if (r) this.set(r.endpointsDue);
    },
  });
}
