import type { DbClient } from '../db/pool.ts';

/** Keys are honoured for 24 hours; an older row is treated as absent. */
export const IDEMPOTENCY_KEY_TTL = '24 hours';

/** Clears the way for a key reused after it expired: the submit statement claims keys by a plain INSERT. */
export async function deleteExpiredIdempotencyKey(db: DbClient, userId: string, key: string): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at <= now() - interval '${IDEMPOTENCY_KEY_TTL}'`, [userId, key]);
}
