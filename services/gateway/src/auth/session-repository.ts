import type { DbClient } from '../db/pool.ts';

export interface RefreshRow {
  id: string;
  family_id: string;
  user_id: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  family_expires_at: string;
  family_revoked_at: string | null;
  /** Whether the family has not yet expired, and how long ago the token was spent (ms), both by PostgreSQL's clock. */
  family_live: boolean;
  used_ms_ago: number | null;
}

export interface SessionState {
  revoked_at: string | null;
  expires_at: string;
  disabled: boolean;
  role: 'user' | 'admin';
}

export async function insertFamily(db: DbClient, f: { id: string; user_id: string; expires_at: Date }): Promise<void> {
  await db.query('INSERT INTO session_families (id, user_id, expires_at) VALUES ($1, $2, $3)', [f.id, f.user_id, f.expires_at]);
}

export async function insertRefreshToken(
  db: DbClient,
  t: { id: string; family_id: string; user_id: string; hash: Buffer; expires_at: Date | string },
): Promise<void> {
  await db.query('INSERT INTO user_sessions (id, family_id, user_id, refresh_token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    t.id,
    t.family_id,
    t.user_id,
    t.hash,
    t.expires_at,
  ]);
}

/**
 * Locks the token row so two concurrent refreshes with one token cannot both succeed. The times that decide a
 * reuse are measured where `used_at` was stamped (now() in PostgreSQL), so a gateway whose clock is off does not
 * stretch the grace window for a replayed token, nor shrink it into revoking two tabs that refreshed together.
 */
export async function findRefreshTokenForUpdate(db: DbClient, hash: Buffer): Promise<RefreshRow | undefined> {
  const { rows } = await db.query<RefreshRow>(
    `SELECT s.id, s.family_id, s.user_id, s.expires_at, s.used_at, s.revoked_at, f.expires_at AS family_expires_at, f.revoked_at AS family_revoked_at,
            f.expires_at > now() AS family_live, (extract(epoch FROM now() - s.used_at) * 1000)::float8 AS used_ms_ago
       FROM user_sessions s JOIN session_families f ON f.id = s.family_id
      WHERE s.refresh_token_hash = $1 FOR UPDATE OF s`,
    [hash],
  );
  return rows[0];
}

export async function markRotated(db: DbClient, id: string, replacedBy: string, familyId: string): Promise<void> {
  await db.query('UPDATE user_sessions SET used_at = now(), replaced_by = $2 WHERE id = $1', [id, replacedBy]);
  await db.query('UPDATE session_families SET last_used_at = now() WHERE id = $1', [familyId]);
}

/** The family a refresh token belongs to, without a lock: only to charge the family's budget before rotating. */
export async function findFamilyOfToken(db: DbClient, hash: Buffer): Promise<string | undefined> {
  const { rows } = await db.query<{ family_id: string }>('SELECT family_id FROM user_sessions WHERE refresh_token_hash = $1', [hash]);
  return rows[0]?.family_id;
}

export interface FamilyRow {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
}

/** The user's live session families, newest first (a user has a handful; the partial index covers them). */
export async function listLiveFamilies(db: DbClient, userId: string): Promise<FamilyRow[]> {
  const { rows } = await db.query<FamilyRow>(
    `SELECT id, created_at, coalesce(last_used_at, created_at) AS last_used_at, expires_at FROM session_families
      WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC, id DESC LIMIT 1000`,
    [userId],
  );
  return rows;
}

/** Revokes one of the user's own live families; false when there is none with that id (another user's included). */
export async function revokeOwnFamily(db: DbClient, userId: string, familyId: string, reason: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE session_families SET revoked_at = now(), revoked_reason = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
    [familyId, userId, reason],
  );
  if (!rowCount) return false;
  await db.query('UPDATE user_sessions SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId]);
  return true;
}

export async function revokeFamily(db: DbClient, familyId: string, reason: string): Promise<void> {
  await db.query('UPDATE session_families SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL', [familyId, reason]);
  await db.query('UPDATE user_sessions SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId]);
}

export async function revokeUserFamilies(db: DbClient, userId: string, reason: string, exceptFamilyId?: string): Promise<number> {
  const { rowCount } = await db.query(
    'UPDATE session_families SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3',
    [userId, reason, exceptFamilyId ?? null],
  );
  await db.query('UPDATE user_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND family_id IS DISTINCT FROM $2', [
    userId,
    exceptFamilyId ?? null,
  ]);
  return rowCount ?? 0;
}

// Named (prepared once per connection): the check runs on every authenticated call, and parsing and planning it
// cost PostgreSQL about as much as running it. `i` gives each row back its place in the batch.
export const SESSION_STATES_SQL = `SELECT c.i::int AS i, f.revoked_at, f.expires_at, u.disabled, u.role
  FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS c (family_id, user_id, i)
  JOIN session_families f ON f.id = c.family_id AND f.user_id = c.user_id
  JOIN users u ON u.id = f.user_id`;

/**
 * The per-request session check for a batch of calls: one primary-key lookup per call that also sees a
 * disabled user or a changed role. Answers in the order asked; `undefined` where no such session exists.
 */
export async function findSessionStates(db: DbClient, checks: ReadonlyArray<{ familyId: string; userId: string }>): Promise<Array<SessionState | undefined>> {
  const { rows } = await db.query<SessionState & { i: number }>({
    name: 'session-states',
    text: SESSION_STATES_SQL,
    values: [checks.map((c) => c.familyId), checks.map((c) => c.userId)],
  });
  const states: Array<SessionState | undefined> = checks.map(() => undefined);
  for (const { i, ...state } of rows) states[i - 1] = state;
  return states;
}
