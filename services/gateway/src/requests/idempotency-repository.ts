import type { DbClient } from '../db/pool.ts';

/** Keys are honoured for 24 hours; an older row is treated as absent and overwritten. */
export async function findIdempotencyKey(db: DbClient, userId: string, key: string): Promise<{ body_hash: string; request_id: string } | undefined> {
  const { rows } = await db.query<{ body_hash: string; request_id: string }>(
    "SELECT body_hash, request_id FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at > now() - interval '24 hours'",
    [userId, key],
  );
  return rows[0];
}

export async function saveIdempotencyKey(db: DbClient, k: { user_id: string; key: string; body_hash: string; request_id: string }): Promise<void> {
  await db.query(
    `INSERT INTO idempotency_keys (user_id, key, body_hash, request_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, key) DO UPDATE SET body_hash = EXCLUDED.body_hash, request_id = EXCLUDED.request_id, created_at = now()`,
    [k.user_id, k.key, k.body_hash, k.request_id],
  );
}
