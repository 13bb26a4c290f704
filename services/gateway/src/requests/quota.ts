import type { Config } from '@pressroom/config';
import type { DbClient } from '../db/pool.ts';
import type { UserRow } from '../auth/user-repository.ts';

/** The quota day is the UTC day; `day` is its date, the key of its `daily_usage` row; `monthStart` its month's first day. */
export function quotaWindow(now = new Date()): { day: string; monthStart: string; start: Date; resetsAt: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const day = start.toISOString().slice(0, 10);
  return { day, monthStart: `${day.slice(0, 8)}01`, start, resetsAt: new Date(start.getTime() + 86_400_000) };
}

export function dailyQuotaOf(user: { daily_quota: number | null } | undefined, config: Config): number {
  return user?.daily_quota ?? config.DAILY_REQUEST_QUOTA;
}

/** Content requests the user submitted on `day`: the counter the submit statement increments. */
export async function usedOn(db: DbClient, userId: string, day: string): Promise<number> {
  const { rows } = await db.query<{ used: number }>('SELECT used FROM daily_usage WHERE user_id = $1 AND day = $2', [userId, day]);
  return rows[0]?.used ?? 0;
}

/**
 * The user with today's count and spend and the month's spend so far: one range of the user's counter rows (at
 * most 31), in the same prepared statement as the user's primary-key lookup (GET /v1/me is one round trip).
 */
export const USER_WITH_MONTH_USAGE_SQL = `SELECT u.id, u.email, u.role, u.daily_quota, u.disabled, m.used_today, m.spent_today_usd, m.spent_month_usd
  FROM users u CROSS JOIN LATERAL (
    SELECT COALESCE(sum(used) FILTER (WHERE day = $2), 0)::int AS used_today,
           COALESCE(sum(spent_usd) FILTER (WHERE day = $2), 0)::float8 AS spent_today_usd,
           COALESCE(sum(spent_usd), 0)::float8 AS spent_month_usd
      FROM daily_usage WHERE user_id = u.id AND day BETWEEN $3::date AND $2::date) m
  WHERE u.id = $1`;

export type UserWithUsage = Pick<UserRow, 'id' | 'email' | 'role' | 'daily_quota' | 'disabled'> & {
  used_today: number;
  spent_today_usd: number;
  spent_month_usd: number;
};

export async function findUserWithMonthUsage(db: DbClient, userId: string, window: { day: string; monthStart: string }): Promise<UserWithUsage | undefined> {
  const { rows } = await db.query<UserWithUsage>({
    name: 'user-with-month-usage',
    text: USER_WITH_MONTH_USAGE_SQL,
    values: [userId, window.day, window.monthStart],
  });
  return rows[0];
}
