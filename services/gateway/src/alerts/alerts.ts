import type { Alerter } from '@pressroom/alerts';
import { currentTraceId } from '@pressroom/telemetry';

/** What the gateway wants someone to be told about. Only ids, counts and durations: never a token, email or body. */
export type AlertEvent =
  | { kind: 'quota_exceeded'; user_id: string; daily_quota: number }
  | { kind: 'spend_budget_exceeded'; user_id: string; daily_budget_usd: number; spent_today_usd: number }
  | { kind: 'slow_http'; route: string; method: string; duration_ms: number; threshold_ms: number }
  | { kind: 'slow_request'; request_id: string; duration_ms: number; threshold_ms: number }
  /** RabbitMQ dead-lettered a task itself (a worker crashing on it past the delivery limit): no worker said so. */
  | { kind: 'broker_dead_letter'; stage: string; request_id: string | null; reason: string; attempts: number };

/** The gateway's alerts port; delivery, de-duplication across replicas and cooldowns are the alerter's. */
export interface Alerts {
  raiseAlert(event: AlertEvent): void;
}

export function createGatewayAlerts(alerter: Alerter): Alerts {
  return {
    raiseAlert(event) {
      const trace = currentTraceId();
      const traceField = trace ? { trace_id: trace } : {};
      if (event.kind === 'quota_exceeded') {
        void alerter.raise({
          kind: 'quota_exceeded',
          severity: 'warning',
          summary: 'a user used up the daily content-request quota',
          details: { user_id: event.user_id, daily_quota: event.daily_quota },
          dedupe_key: `user:${event.user_id}`,
          ...traceField,
        });
      } else if (event.kind === 'spend_budget_exceeded') {
        // Routed like the request quota (same kind), under its own cooldown key so neither hides the other.
        void alerter.raise({
          kind: 'quota_exceeded',
          severity: 'warning',
          summary: 'a user used up the daily LLM spend budget',
          details: { user_id: event.user_id, daily_budget_usd: event.daily_budget_usd, spent_today_usd: event.spent_today_usd },
          dedupe_key: `spend:${event.user_id}`,
          ...traceField,
        });
      } else if (event.kind === 'slow_http') {
        void alerter.raise({
          kind: 'high_latency',
          severity: 'warning',
          summary: `gateway ${event.method} ${event.route} took ${event.duration_ms} ms (threshold ${event.threshold_ms} ms)`,
          details: { route: event.route, method: event.method, duration_ms: event.duration_ms, threshold_ms: event.threshold_ms },
          dedupe_key: `http:${event.method}:${event.route}`,
          ...traceField,
        });
      } else if (event.kind === 'broker_dead_letter') {
        void alerter.raise({
          kind: 'dead_letter',
          severity: 'critical',
          summary: `RabbitMQ dead-lettered a ${event.stage} task (${event.reason})`,
          stage: event.stage,
          ...(event.request_id ? { request_id: event.request_id } : {}),
          details: { reason: event.reason, attempts: event.attempts },
          dedupe_key: `${event.stage}:${event.reason}`,
          ...traceField,
        });
      } else {
        void alerter.raise({
          kind: 'high_latency',
          severity: 'warning',
          summary: `a content request took ${Math.round(event.duration_ms / 1000)} s from submission to published (threshold ${Math.round(event.threshold_ms / 1000)} s)`,
          request_id: event.request_id,
          details: { duration_ms: event.duration_ms, threshold_ms: event.threshold_ms },
          dedupe_key: 'request:end-to-end',
          ...traceField,
        });
      }
    },
  };
}
