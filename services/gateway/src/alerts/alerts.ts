import type { Logger } from '@pressroom/logger';
import type { Registry } from 'prom-client';
import { gatewayCounter } from '../http/extra-metrics.ts';

/** What the gateway wants someone to be told about. Only ids and counts: never a token, email or body. */
export type AlertEvent = { kind: 'quota_exceeded'; user_id: string; daily_quota: number };

/**
 * The alerts port. For now an alert is a warn log line marked `alert: true` plus a counter; the observability
 * work delivers them (Slack, webhook, email, de-duplicated across replicas) behind this same function.
 */
export interface Alerts {
  raiseAlert(event: AlertEvent): void;
}

export function createLogAlerts(deps: { logger: Logger; registry: Registry }): Alerts {
  const raised = gatewayCounter(deps.registry, 'pressroom_alerts_total', 'Alert events raised by kind', ['kind'] as const);
  return {
    raiseAlert(event) {
      raised.inc({ kind: event.kind });
      deps.logger.warn({ alert: true, ...event }, `alert: ${event.kind}`);
    },
  };
}
