import { randomUUID } from 'node:crypto';
import { AppError, type LoginBody, type RefreshBody, type RegisterBody } from '@pressroom/contracts';
import { inTransaction } from '../db/pool.ts';
import type { GatewayDeps } from '../deps.ts';
import { pair, startSession, type TokenPair } from './issue-session.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password-hasher.ts';
import { hashToken, successorOf } from './refresh-tokens.ts';
import type { SessionBudget } from './session-budget.ts';
import { logSecurityEvent, type ClientContext } from '../audit/security-events.ts';
import {
  findFamilyOfToken,
  findRefreshTokenForUpdate,
  insertRefreshToken,
  listLiveFamilies,
  markRotated,
  revokeFamily,
  revokeOwnFamily,
} from './session-repository.ts';
import { findUserByEmail, findUserById, insertUser, toUserView } from './user-repository.ts';

type Deps = Pick<GatewayDeps, 'db' | 'tokens' | 'config' | 'logger'>;

export async function registerUser(deps: Deps, body: RegisterBody, role: 'user' | 'admin' = 'user') {
  const passwordHash = await hashPassword(body.password);
  const user = await insertUser(deps.db, { id: randomUUID(), email: body.email.trim(), password_hash: passwordHash, role });
  if (!user) throw new AppError('conflict', 'an account with this email already exists');
  return toUserView(user);
}

const BAD_LOGIN = 'email or password is incorrect';

/**
 * The same answer, the same argon2 work and the same throttling whether or not the email exists, so neither
 * the response nor its timing tells an attacker which emails have accounts.
 */
export async function login(deps: Deps & { throttle: LoginThrottle }, body: LoginBody, who: ClientContext): Promise<TokenPair> {
  const ip = who.ip ?? undefined;
  try {
    // The slot is taken before argon2 runs and kept on failure: concurrent guesses cannot outrun the count.
    await deps.throttle.reserve(body.email, ip);
  } catch (err) {
    logSecurityEvent(deps.logger, 'auth.login_throttled', { ...who, userId: null });
    throw err;
  }
  const user = await findUserByEmail(deps.db, body.email.trim());
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), body.password);
  if (!user || !ok || user.disabled) {
    logSecurityEvent(
      deps.logger,
      'auth.login_failed',
      { ...who, userId: user?.id ?? null },
      { reason: !user ? 'unknown_account' : !ok ? 'wrong_password' : 'disabled' },
    );
    await deps.throttle.failed(body.email, ip);
    throw new AppError('unauthorized', BAD_LOGIN);
  }
  await deps.throttle.release(body.email, ip);
  const tokens = await startSession(deps.db, deps.tokens, user, deps.config.JWT_REFRESH_TTL);
  logSecurityEvent(deps.logger, 'auth.login_succeeded', { ...who, userId: user.id });
  return tokens;
}

export interface RefreshDeps extends Deps {
  budget: SessionBudget;
  /** successorKey(...): derives each successor token (see successorOf). */
  successorKey: Buffer;
}

/**
 * Rotation: the presented token is spent and its successor issued in the same family. A spent token presented
 * again within REFRESH_REUSE_GRACE_S (two tabs refreshing at once, a retried request) gets the same successor
 * again; after the window it means the token was stolen or replayed, so the whole family is revoked (OAuth 2.0
 * Security BCP, §4.14.2).
 */
export async function refreshSession(deps: RefreshDeps, body: RefreshBody, who: ClientContext): Promise<TokenPair> {
  const hash = hashToken(body.refresh_token);
  const familyId = await findFamilyOfToken(deps.db, hash);
  if (!familyId) throw new AppError('unauthorized', 'the refresh token is not valid');
  await deps.budget.spend(familyId);
  const graceMs = deps.config.REFRESH_REUSE_GRACE_S * 1000;
  const outcome = await inTransaction(deps.db, async (tx) => {
    const row = await findRefreshTokenForUpdate(tx, hash);
    if (!row) return { error: 'the refresh token is not valid', tokens: undefined };
    // The session's latest token after the session was ended (logout, password change, a revocation): nothing to
    // revoke, no alarm. A token already spent is still reuse, whatever became of its session: it was copied.
    if (row.family_revoked_at && !row.used_at) return { error: 'the session has ended', tokens: undefined };
    const live = !row.family_revoked_at && row.family_live;
    const withinGrace = row.used_ms_ago !== null && !row.revoked_at && live && graceMs > 0 && row.used_ms_ago <= graceMs;
    if ((row.used_at || row.revoked_at) && !withinGrace) {
      await revokeFamily(tx, row.family_id, 'refresh_token_reuse');
      logSecurityEvent(deps.logger, 'auth.refresh_reused', { ...who, userId: row.user_id }, { session_id: row.family_id });
      return { error: 'the refresh token was already used; the session has been ended', tokens: undefined };
    }
    if (!live) return { error: 'the session has ended', tokens: undefined };
    const user = await findUserById(tx, row.user_id);
    if (!user || user.disabled) return { error: 'the session has ended', tokens: undefined };
    const next = successorOf(deps.successorKey, body.refresh_token);
    if (!withinGrace) {
      const nextId = randomUUID();
      await insertRefreshToken(tx, { id: nextId, family_id: row.family_id, user_id: row.user_id, hash: next.hash, expires_at: row.family_expires_at });
      await markRotated(tx, row.id, nextId, row.family_id);
    }
    return { error: '', tokens: pair(deps.tokens, { sub: user.id, sid: row.family_id, role: user.role }, next.token) };
  });
  // The revocation above must commit, so the error is raised only after the transaction.
  if (!outcome.tokens) throw new AppError('unauthorized', outcome.error);
  return outcome.tokens;
}

export async function logout(deps: Deps, principal: { userId: string; sessionId: string }, who: ClientContext): Promise<void> {
  await revokeFamily(deps.db, principal.sessionId, 'logout');
  logSecurityEvent(deps.logger, 'auth.logout', { ...who, userId: principal.userId }, { session_id: principal.sessionId });
}

/** The caller's live sessions; `current` marks the one this call's token belongs to. */
export async function listSessions(deps: Pick<Deps, 'db'>, principal: { userId: string; sessionId: string }) {
  const rows = await listLiveFamilies(deps.db, principal.userId);
  return { items: rows.map((r) => ({ ...r, current: r.id === principal.sessionId })) };
}

/** Ends one of the caller's own sessions (another user's is 404, like any id that is not theirs). */
export async function revokeSession(deps: Deps, principal: { userId: string; sessionId: string }, sessionId: string, who: ClientContext): Promise<void> {
  if (!(await revokeOwnFamily(deps.db, principal.userId, sessionId, 'revoked_by_user'))) throw new AppError('not_found', 'no such session');
  logSecurityEvent(deps.logger, 'auth.session_revoked', { ...who, userId: principal.userId }, { session_id: sessionId });
}
