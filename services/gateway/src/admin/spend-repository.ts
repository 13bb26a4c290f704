import type { DbClient } from '../db/pool.ts';

export interface UserSpendRow {
  user_id: string;
  email: string;
  requests: number;
  spent_usd: number;
  /** Every user's spend in the range, before the LIMIT. */
  total_usd: number;
}

/** The counter rows of a range of days (daily_usage_day_idx), summed per user, highest spend first. */
export const SPEND_BY_USER_SQL = `SELECT d.user_id, u.email, sum(d.used)::int AS requests, sum(d.spent_usd)::float8 AS spent_usd,
       (sum(sum(d.spent_usd)) OVER ())::float8 AS total_usd
  FROM daily_usage d JOIN users u ON u.id = d.user_id
 WHERE d.day BETWEEN $1::date AND $2::date
 GROUP BY d.user_id, u.email
 ORDER BY spent_usd DESC, d.user_id
 LIMIT $3`;

export async function spendByUser(db: DbClient, range: { from: string; to: string }, limit: number): Promise<UserSpendRow[]> {
  const { rows } = await db.query<UserSpendRow>(SPEND_BY_USER_SQL, [range.from, range.to, limit]);
  return rows;
}
