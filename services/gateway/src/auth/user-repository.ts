import type { DbClient } from '../db/pool.ts';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  role: 'user' | 'admin';
  daily_quota: number | null;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, email, password_hash, role, daily_quota, disabled, created_at, updated_at';

export async function insertUser(
  db: DbClient,
  user: { id: string; email: string; password_hash: string; role: 'user' | 'admin' },
): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT ((lower(email))) DO NOTHING RETURNING ${COLUMNS}`,
    [user.id, user.email, user.password_hash, user.role],
  );
  return rows[0];
}

export async function findUserByEmail(db: DbClient, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]);
  return rows[0];
}

export async function findUserById(db: DbClient, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

export async function updatePasswordHash(db: DbClient, id: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [id, passwordHash]);
}

export function toUserView(u: Pick<UserRow, 'id' | 'email' | 'role'>) {
  return { id: u.id, email: u.email, role: u.role };
}
