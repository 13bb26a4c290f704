import type { Alerter } from '@pressroom/alerts';
import type { BreakerScope } from '@pressroom/resilience';
import type { Stage, StageError } from '@pressroom/contracts';
import { currentTraceId } from '@pressroom/telemetry';

type TaskIds = { request_id: string; user_id: string; attempt: number };

/**
 * What the service says about its stage's dependency, for its alerts: what to call the provider (`search`, `LLM`),
 * and whether every failed call to it is worth an alert of its own (the LLM's: each call costs, and one failing
 * is news before Prometheus would see a rate).
 */
export interface StageAlerting {
  provider: string;
  alertEachFailure?: boolean;
}

/**
 * What a worker tells its operators: a breaker opening, a dead letter, a stage attempt slower than the threshold
 * (only when one is set: where Prometheus runs, its rules own latency).
 */
export function stageAlerts(deps: {
  alerts: Alerter;
  service: string;
  stage: Stage;
  stageLatencyMs: number | undefined;
  alerting?: StageAlerting | undefined;
}) {
  const { alerts, service, stage } = deps;
  return {
    breakerChanged(name: string, state: 'closed' | 'open' | 'half_open', scope: BreakerScope): void {
      if (state !== 'open') return;
      // One target's host (a web page's, a user's webhook's) is a warning; a whole provider being down is critical.
      void alerts.raise({
        kind: 'breaker_open',
        severity: scope === 'target' ? 'warning' : 'critical',
        summary: `circuit breaker ${name} opened`,
        stage,
        details: { breaker: name },
        dedupe_key: `${service}:${name}`,
      });
    },
    deadLettered(task: TaskIds, error: StageError, reason: string): void {
      const trace = currentTraceId();
      void alerts.raise({
        kind: 'dead_letter',
        severity: 'critical',
        summary: `a ${stage} task was dead-lettered (${error.code})`,
        stage,
        request_id: task.request_id,
        ...(trace ? { trace_id: trace } : {}),
        details: { code: error.code, reason, attempt: task.attempt, message: error.message.slice(0, 300) },
        dedupe_key: `${stage}:${error.code}`,
      });
    },
    failed(task: TaskIds, error: StageError, willRetry: boolean): void {
      const trace = currentTraceId();
      const ids = { stage, request_id: task.request_id, ...(trace ? { trace_id: trace } : {}) };
      // An API answering 429 (OpenAI's insufficient_quota included) means the account's quota or rate is used up.
      if (error.code === 'upstream_rate_limited' || /quota/i.test(error.code)) {
        const what = deps.alerting?.provider ?? stage;
        void alerts.raise({
          kind: 'provider_quota_exhausted',
          severity: 'critical',
          summary: `the ${what} provider refuses calls: rate limit or quota exhausted`,
          ...ids,
          details: { code: error.code, attempt: task.attempt, will_retry: String(willRetry) },
          dedupe_key: `${stage}:quota`,
        });
      } else if (deps.alerting?.alertEachFailure && error.code !== 'breaker_open') {
        void alerts.raise({
          kind: 'llm_failure',
          severity: willRetry ? 'warning' : 'critical',
          summary: `a call to the ${deps.alerting.provider} failed (${error.code})`,
          ...ids,
          details: { code: error.code, message: error.message.slice(0, 300), attempt: task.attempt, will_retry: String(willRetry) },
          dedupe_key: `${service}:${error.code}`,
        });
      }
    },
    completed(task: TaskIds, durationMs: number): void {
      const threshold = deps.stageLatencyMs;
      if (threshold === undefined || durationMs < threshold) return;
      const trace = currentTraceId();
      void alerts.raise({
        kind: 'high_latency',
        severity: 'warning',
        summary: `a ${stage} attempt took ${Math.round(durationMs / 1000)} s (threshold ${Math.round(threshold / 1000)} s)`,
        stage,
        request_id: task.request_id,
        ...(trace ? { trace_id: trace } : {}),
        details: { duration_ms: durationMs, threshold_ms: threshold },
        dedupe_key: `stage:${stage}`,
      });
    },
  };
}
