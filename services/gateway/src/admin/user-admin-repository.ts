import type { DbClient } from '../db/pool.ts';

export interface AdminUserRow {
  id: string;
  email: string;
  role: 'user' | 'admin';
  daily_quota: number | null;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, email, role, daily_quota, disabled, created_at, updated_at';

/** Newest first, keyset-paged on (created_at, id) like the request lists; never selects the password hash. */
export async function listUsers(
  db: DbClient,
  f: { role?: 'user' | 'admin' | undefined; disabled?: boolean | undefined; before?: { created_at: string; id: string } | undefined; limit: number },
): Promise<AdminUserRow[]> {
  const { rows } = await db.query<AdminUserRow>(
    `SELECT ${COLUMNS} FROM users
      WHERE ($1::text IS NULL OR role = $1)
        AND ($2::boolean IS NULL OR disabled = $2)
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $5`,
    [f.role ?? null, f.disabled ?? null, f.before?.created_at ?? null, f.before?.id ?? null, f.limit],
  );
  return rows;
}

/** Only the fields present in the patch change; `daily_quota: null` clears the override. */
export async function updateUser(
  db: DbClient,
  id: string,
  patch: { role?: 'user' | 'admin' | undefined; daily_quota?: number | null | undefined; disabled?: boolean | undefined },
): Promise<AdminUserRow | undefined> {
  const { rows } = await db.query<AdminUserRow>(
    `UPDATE users SET
        role = COALESCE($2, role),
        daily_quota = CASE WHEN $3::boolean THEN $4::integer ELSE daily_quota END,
        disabled = COALESCE($5, disabled),
        updated_at = now()
      WHERE id = $1
      RETURNING ${COLUMNS}`,
    [id, patch.role ?? null, patch.daily_quota !== undefined, patch.daily_quota ?? null, patch.disabled ?? null],
  );
  return rows[0];
}
