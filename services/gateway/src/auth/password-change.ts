import { AppError, type ChangePasswordBody } from '@pressroom/contracts';
import { inTransaction } from '../db/pool.ts';
import type { GatewayDeps } from '../deps.ts';
import type { Principal } from '../http/authenticate.ts';
import { logSecurityEvent, type ClientContext } from '../audit/security-events.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password-hasher.ts';
import { revokeUserFamilies } from './session-repository.ts';
import { findUserById, updatePasswordHash } from './user-repository.ts';

/**
 * Needs the current password (a stolen access token alone cannot take over the account) under the same
 * brute-force brake as login. The new hash and the end of every other session commit together: whoever else
 * held a session, including one that knew the old password, is out on their next request.
 */
export async function changePassword(
  deps: Pick<GatewayDeps, 'db' | 'logger'> & { throttle: LoginThrottle },
  principal: Principal,
  body: ChangePasswordBody,
  who: ClientContext,
): Promise<void> {
  const ip = who.ip ?? undefined;
  const user = await findUserById(deps.db, principal.userId);
  if (!user) throw new AppError('unauthorized', 'the account no longer exists');
  await deps.throttle.reserve(user.email, ip);
  if (!(await verifyPassword(user.password_hash, body.current_password))) {
    await deps.throttle.failed(user.email, ip);
    throw new AppError('validation_failed', 'the current password is incorrect', { errors: [{ field: 'current_password', message: 'is incorrect' }] });
  }
  await deps.throttle.release(user.email, ip);
  if (body.new_password === body.current_password)
    throw new AppError('validation_failed', 'the new password must differ from the current one', {
      errors: [{ field: 'new_password', message: 'must differ from current_password' }],
    });
  const passwordHash = await hashPassword(body.new_password);
  const ended = await inTransaction(deps.db, async (tx) => {
    await updatePasswordHash(tx, user.id, passwordHash);
    return revokeUserFamilies(tx, user.id, 'password_change', principal.sessionId);
  });
  logSecurityEvent(deps.logger, 'auth.password_changed', { ...who, userId: user.id }, { session_id: principal.sessionId, sessions_ended: ended });
}
