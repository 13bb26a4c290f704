import { randomUUID } from 'node:crypto';
import { AppError, type LoginBody, type RefreshBody, type RegisterBody } from '@pressroom/contracts';
import { inTransaction } from '../db/pool.ts';
import type { GatewayDeps } from '../deps.ts';
import { pair, startSession, type TokenPair } from './issue-session.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password-hasher.ts';
import { hashToken, newRefreshToken } from './refresh-tokens.ts';
import { findRefreshTokenForUpdate, insertRefreshToken, markRotated, revokeFamily } from './session-repository.ts';
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
export async function login(deps: Deps & { throttle: LoginThrottle }, body: LoginBody, ip: string | undefined): Promise<TokenPair> {
  // The slot is taken before argon2 runs and kept on failure: concurrent guesses cannot outrun the count.
  await deps.throttle.reserve(body.email, ip);
  const user = await findUserByEmail(deps.db, body.email.trim());
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), body.password);
  if (!user || !ok || user.disabled) throw new AppError('unauthorized', BAD_LOGIN);
  await deps.throttle.release(body.email, ip);
  return startSession(deps.db, deps.tokens, user, deps.config.JWT_REFRESH_TTL);
}

/**
 * Rotation: the presented token is spent and a new one issued in the same family. A spent token presented
 * again means it was stolen or replayed, so the whole family is revoked (OAuth 2.0 Security BCP, §4.14.2).
 */
export async function refreshSession(deps: Deps, body: RefreshBody): Promise<TokenPair> {
  const outcome = await inTransaction(deps.db, async (tx) => {
    const row = await findRefreshTokenForUpdate(tx, hashToken(body.refresh_token));
    if (!row) return { error: 'the refresh token is not valid', tokens: undefined };
    if (row.used_at || row.revoked_at) {
      await revokeFamily(tx, row.family_id, 'refresh_token_reuse');
      deps.logger.warn({ user_id: row.user_id, family_id: row.family_id }, 'spent refresh token presented; session family revoked');
      return { error: 'the refresh token was already used; the session has been ended', tokens: undefined };
    }
    if (row.family_revoked_at || Date.parse(row.family_expires_at) <= Date.now()) return { error: 'the session has ended', tokens: undefined };
    const user = await findUserById(tx, row.user_id);
    if (!user || user.disabled) return { error: 'the session has ended', tokens: undefined };
    const next = newRefreshToken();
    const nextId = randomUUID();
    await insertRefreshToken(tx, { id: nextId, family_id: row.family_id, user_id: row.user_id, hash: next.hash, expires_at: row.family_expires_at });
    await markRotated(tx, row.id, nextId);
    return { error: '', tokens: pair(deps.tokens, { sub: user.id, sid: row.family_id, role: user.role }, next.token) };
  });
  // The revocation above must commit, so the error is raised only after the transaction.
  if (!outcome.tokens) throw new AppError('unauthorized', outcome.error);
  return outcome.tokens;
}

export async function logout(deps: Deps, sessionId: string): Promise<void> {
  await revokeFamily(deps.db, sessionId, 'logout');
}
