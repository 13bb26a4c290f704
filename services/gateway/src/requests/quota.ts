import type { Config } from '@pressroom/config';

/** The quota day is the UTC day. */
export function quotaWindow(now = new Date()): { start: Date; resetsAt: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { start, resetsAt: new Date(start.getTime() + 86_400_000) };
}

export function dailyQuotaOf(user: { daily_quota: number | null } | undefined, config: Config): number {
  return user?.daily_quota ?? config.DAILY_REQUEST_QUOTA;
}
