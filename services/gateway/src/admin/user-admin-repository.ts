import type { DbClient } from '../db/pool.ts';

export interface AdminUserRow {
  id: string;
  email: string;
  role: 'user' | 'admin';
  daily_quota: number | null;
  used_today: number;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

// `u` is the users row; today's usage is one primary-key probe of the quota counter per user ($day: the UTC quota day).
const COLUMNS = 'u.id, u.email, u.role, u.daily_quota, COALESCE(d.used, 0) AS used_today, u.disabled, u.created_at, u.updated_at';
const USAGE_JOIN = 'LEFT JOIN daily_usage d ON d.user_id = u.id AND d.day = $1::date';

/** Newest first, keyset-paged on (created_at, id) like the request lists; never selects the password hash. */
export async function listUsers(
  db: DbClient,
  f: {
    day: string;
    role?: 'user' | 'admin' | undefined;
    disabled?: boolean | undefined;
    before?: { created_at: string; id: string } | undefined;
    limit: number;
  },
): Promise<AdminUserRow[]> {
  const { rows } = await db.query<AdminUserRow>(
    `SELECT ${COLUMNS} FROM users u ${USAGE_JOIN}
      WHERE ($2::text IS NULL OR u.role = $2)
        AND ($3::boolean IS NULL OR u.disabled = $3)
        AND ($4::timestamptz IS NULL OR (u.created_at, u.id) < ($4::timestamptz, $5::uuid))
      ORDER BY u.created_at DESC, u.id DESC
      LIMIT $6`,
    [f.day, f.role ?? null, f.disabled ?? null, f.before?.created_at ?? null, f.before?.id ?? null, f.limit],
  );
  return rows;
}

/** Only the fields present in the patch change; `daily_quota: null` clears the override. */
export async function updateUser(
  db: DbClient,
  day: string,
  id: string,
  patch: { role?: 'user' | 'admin' | undefined; daily_quota?: number | null | undefined; disabled?: boolean | undefined },
): Promise<AdminUserRow | undefined> {
  const { rows } = await db.query<AdminUserRow>(
    `WITH u AS (
       UPDATE users SET
          role = COALESCE($3, role),
          daily_quota = CASE WHEN $4::boolean THEN $5::integer ELSE daily_quota END,
          disabled = COALESCE($6, disabled),
          updated_at = now()
        WHERE id = $2
        RETURNING *)
     SELECT ${COLUMNS} FROM u ${USAGE_JOIN}`,
    [day, id, patch.role ?? null, patch.daily_quota !== undefined, patch.daily_quota ?? null, patch.disabled ?? null],
  );
  return rows[0];
}

/** Who owns a content request (the admin view of a request names its owner). */
export async function findRequestOwner(db: DbClient, requestId: string): Promise<{ user_id: string; email: string } | undefined> {
  const { rows } = await db.query<{ user_id: string; email: string }>(
    'SELECT u.id AS user_id, u.email FROM content_requests r JOIN users u ON u.id = r.user_id WHERE r.id = $1',
    [requestId],
  );
  return rows[0];
}
