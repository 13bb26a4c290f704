import { AppError, type AdminListRequestsQuery, type AdminListUsersQuery, type AdminUserPatchBody } from '@pressroom/contracts';
import { inTransaction } from '../db/pool.ts';
import type { GatewayDeps } from '../deps.ts';
import type { Principal } from '../http/authenticate.ts';
import { recordAdminAction } from '../audit/audit-repository.ts';
import type { ClientContext } from '../audit/security-events.ts';
import { revokeUserFamilies } from '../auth/session-repository.ts';
import { decodeCursor, toPage } from '../requests/cursor.ts';
import { listRequests } from '../requests/request-repository.ts';
import { toSummary } from '../requests/request-view.ts';
import { listUsers, updateUser } from './user-admin-repository.ts';

/** Every user's requests, newest first, optionally narrowed to one status and/or one user. */
export async function listAllRequests(deps: Pick<GatewayDeps, 'db'>, q: AdminListRequestsQuery) {
  const limit = q.limit ?? 20;
  const rows = await listRequests(deps.db, { userId: q.user_id ?? null, status: q.status, before: q.cursor ? decodeCursor(q.cursor) : undefined, limit: limit + 1 });
  return toPage(rows, limit, (r) => ({ ...toSummary(r), user_id: r.user_id }));
}

export async function listAllUsers(deps: Pick<GatewayDeps, 'db'>, q: AdminListUsersQuery) {
  const limit = q.limit ?? 20;
  const rows = await listUsers(deps.db, { role: q.role, disabled: q.disabled, before: q.cursor ? decodeCursor(q.cursor) : undefined, limit: limit + 1 });
  return toPage(rows, limit, (r) => r);
}

/**
 * Role, quota override and disabling. Disabling ends every session of the user in the same transaction (the
 * per-request session check also refuses a disabled user at once). An admin cannot disable or demote
 * themselves: that is how the last admin locks everyone out.
 */
export async function patchUser(deps: Pick<GatewayDeps, 'db' | 'logger'>, actor: Principal, who: ClientContext, id: string, patch: AdminUserPatchBody) {
  if (id.toLowerCase() === actor.userId.toLowerCase() && (patch.disabled === true || patch.role === 'user')) throw new AppError('conflict', 'an admin cannot disable or demote their own account');
  const { user, ended } = await inTransaction(deps.db, async (tx) => {
    const updated = await updateUser(tx, id, patch);
    const n = updated && patch.disabled === true ? await revokeUserFamilies(tx, id, 'disabled_by_admin') : 0;
    // Role, quota and the disabled flag are not personal data: the record keeps the values set.
    if (updated) await recordAdminAction(tx, deps.logger, who, { event: 'admin.user_updated', actorId: actor.userId, target: id, details: patch });
    return { user: updated, ended: n };
  });
  if (!user) throw new AppError('not_found', `no user ${id}`);
  // The audit line names who changed whom and which fields, never values that could be personal.
  deps.logger.info({ admin_id: actor.userId, target_user_id: id, fields: Object.keys(patch), sessions_ended: ended }, 'user changed by admin');
  return user;
}
