import type { ApiKeyScope } from '@pressroom/contracts';
import type { DbClient } from '../db/pool.ts';

export interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

/** What authentication needs about a key and its owner, in one primary-key-like lookup (the hash is unique). */
export interface ApiKeyState {
  id: string;
  prefix: string;
  user_id: string;
  scopes: ApiKeyScope[];
  expires_at: string | null;
  revoked_at: string | null;
  role: 'user' | 'admin';
  disabled: boolean;
}

const COLUMNS = 'id, user_id, name, prefix, scopes, expires_at, revoked_at, created_at';

export async function insertApiKey(db: DbClient, k: Omit<ApiKeyRow, 'revoked_at' | 'created_at'> & { hash: Buffer }): Promise<ApiKeyRow> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [k.id, k.user_id, k.name, k.prefix, k.hash, k.scopes, k.expires_at],
  );
  return rows[0]!;
}

const STATE_OF_KEY = `SELECT k.id, k.prefix, k.user_id, k.scopes, k.expires_at, k.revoked_at, u.role, u.disabled
             FROM api_keys k JOIN users u ON u.id = k.user_id`;

export async function findApiKeyState(db: DbClient, hash: Buffer): Promise<ApiKeyState | undefined> {
  const { rows } = await db.query<ApiKeyState>({ name: 'api-key-state', text: `${STATE_OF_KEY} WHERE k.key_hash = $1`, values: [hash] });
  return rows[0];
}

/** The same by the key's id: for a stream the key opened, asked again while it runs. */
export async function findApiKeyStateById(db: DbClient, id: string): Promise<ApiKeyState | undefined> {
  const { rows } = await db.query<ApiKeyState>(`${STATE_OF_KEY} WHERE k.id = $1`, [id]);
  return rows[0];
}

/** Newest first, keyset-paged on (created_at, id); `userId` undefined lists every user's keys (admins). */
export async function listApiKeys(
  db: DbClient,
  f: { userId?: string | undefined; before?: { created_at: string; id: string } | undefined; limit: number },
): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys
      WHERE ($1::uuid IS NULL OR user_id = $1)
        AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $4`,
    [f.userId ?? null, f.before?.created_at ?? null, f.before?.id ?? null, f.limit],
  );
  return rows;
}

export async function findApiKey(db: DbClient, id: string, userId: string | undefined): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)`, [id, userId ?? null]);
  return rows[0];
}

/** Revoking twice keeps the first time; the row stays, so lists and logs can still name the key by prefix. */
export async function revokeApiKey(db: DbClient, id: string, userId: string | undefined): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) RETURNING ${COLUMNS}`,
    [id, userId ?? null],
  );
  return rows[0];
}

export async function countLiveApiKeys(db: DbClient, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())',
    [userId],
  );
  return rows[0]?.n ?? 0;
}
