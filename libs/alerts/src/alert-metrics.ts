import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@pressroom/logger';

const NAME = 'pressroom_alerts_total';
type Labels = 'kind' | 'outcome' | 'sink';

/**
 * `pressroom_alerts_total{kind, outcome, sink}`: sent and failed once per sink delivery, suppressed once per
 * raise (sink "none"). Looked up before created, so several alerters can share one service registry.
 */
export function alertCounter(registry: Registry, logger: Logger) {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<Labels> | undefined) ??
    new Counter<Labels>({
      name: NAME,
      help: 'Alerts by kind and outcome (sent, suppressed as a duplicate, failed) and sink',
      labelNames: ['kind', 'outcome', 'sink'],
      registers: [registry],
    });
  let warned = false;
  return (kind: string, outcome: 'sent' | 'suppressed' | 'failed', sink: string) => {
    try {
      counter.inc({ kind, outcome, sink });
    } catch (err) {
      // Another module registered the name with other labels; counting must never break alerting.
      if (!warned) logger.warn({ err }, `${NAME} is registered with other labels; alert metrics are not counted`);
      warned = true;
    }
  };
}
