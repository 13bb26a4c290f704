export interface RetryPolicy {
  baseMs: number;
  factor: number;
  maxMs: number;
  maxAttempts: number;
  /** Fraction of each delay taken off at random so retries of one outage do not arrive in lockstep. */
  jitter?: number;
}

/** The distinct backoff delays, one per delay queue: base·factor^(n-1), capped. */
export function delayLevels(policy: RetryPolicy): number[] {
  const levels: number[] = [];
  for (let attempt = 1; attempt < Math.max(2, policy.maxAttempts); attempt++) {
    const delay = Math.min(policy.maxMs, Math.round(policy.baseMs * policy.factor ** (attempt - 1)));
    if (!levels.includes(delay)) levels.push(delay);
  }
  return levels;
}

/**
 * Which delay queue a failed attempt goes to, and the per-message expiry inside it. The expiry is at most
 * the queue's TTL, so head-of-line waiting is bounded by the jitter, never by a longer level.
 */
export function scheduleRetry(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random = Math.random): { level: number; delayMs: number } {
  const levels = delayLevels(policy);
  const wanted = Math.min(policy.maxMs, Math.round(policy.baseMs * policy.factor ** (attempt - 1)));
  let level = levels.indexOf(wanted);
  if (retryAfterMs !== undefined && retryAfterMs > wanted) {
    const fit = levels.findIndex((d) => d >= retryAfterMs);
    level = fit === -1 ? levels.length - 1 : fit;
  }
  if (level < 0) level = levels.length - 1;
  const ttl = levels[level] ?? policy.baseMs;
  const floor = retryAfterMs !== undefined ? Math.min(ttl, retryAfterMs) : 0;
  const jittered = Math.round(ttl * (1 - (policy.jitter ?? 0.2) * random()));
  return { level, delayMs: Math.max(floor, jittered) };
}
