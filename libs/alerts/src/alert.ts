import { createHash } from 'node:crypto';

export const ALERT_KINDS = ['llm_failure', 'high_latency', 'quota_exceeded', 'provider_quota_exhausted', 'breaker_open', 'dead_letter'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertSeverity = 'warning' | 'critical';

/**
 * What a caller raises. Keep `summary` free of ids (request ids, user ids, timestamps): alerts with the same kind
 * and summary are one alert for de-duplication, unless `dedupe_key` says otherwise. Ids go in their own fields.
 */
export interface Alert {
  kind: AlertKind;
  severity: AlertSeverity;
  summary: string;
  details?: Record<string, string | number>;
  request_id?: string;
  trace_id?: string;
  stage?: string;
  dedupe_key?: string;
}

/** What the sinks deliver: the alert plus where and when it was raised, and the digest of suppressed repeats. */
export interface OutgoingAlert extends Alert {
  service: string;
  instance: string;
  time: string;
  /** Similar alerts suppressed (on any replica) during the cooldown after the previous one was sent. */
  suppressed: number;
  cooldown_s: number;
}

/** The Redis key of an alert's cooldown window, shared by every replica of every service. */
export function cooldownKey(alert: Alert): string {
  const id = alert.dedupe_key ?? createHash('sha256').update(alert.summary).digest('hex').slice(0, 16);
  return `alerts:${alert.kind}:${id}`;
}
