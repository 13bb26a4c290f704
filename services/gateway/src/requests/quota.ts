import type { Config } from '@pressroom/config';
import type { DbClient } from '../db/pool.ts';

/** The quota day is the UTC day; `day` is its date, the key of its `daily_usage` row. */
export function quotaWindow(now = new Date()): { day: string; start: Date; resetsAt: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { day: start.toISOString().slice(0, 10), start, resetsAt: new Date(start.getTime() + 86_400_000) };
}

export function dailyQuotaOf(user: { daily_quota: number | null } | undefined, config: Config): number {
  return user?.daily_quota ?? config.DAILY_REQUEST_QUOTA;
}

/** Content requests the user submitted on `day`: the counter the submit statement increments. */
export async function usedOn(db: DbClient, userId: string, day: string): Promise<number> {
  const { rows } = await db.query<{ used: number }>('SELECT used FROM daily_usage WHERE user_id = $1 AND day = $2', [userId, day]);
  return rows[0]?.used ?? 0;
}
