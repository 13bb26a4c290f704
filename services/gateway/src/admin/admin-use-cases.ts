import type { Static } from '@sinclair/typebox';
import {
  AppError,
  type AdminListRequestsQuery,
  type AdminListUsersQuery,
  type AdminRequestView,
  type AdminUserPatchBody,
  type RequestEventView,
} from '@pressroom/contracts';
import { inTransaction } from '../db/pool.ts';
import type { GatewayDeps } from '../deps.ts';
import type { Principal } from '../http/authenticate.ts';
import { recordAdminAction } from '../audit/audit-repository.ts';
import type { ClientContext } from '../audit/security-events.ts';
import { revokeUserFamilies } from '../auth/session-repository.ts';
import { listDeadLetters } from '../dead-letters/dead-letter-repository.ts';
import { quotaWindow } from '../requests/quota.ts';
import { decodeCursor, toPage } from '../requests/cursor.ts';
import { getRequest } from '../requests/read-requests.ts';
import { listRequests, type RequestRow } from '../requests/request-repository.ts';
import { findUserByEmail } from '../auth/user-repository.ts';
import { toSummary } from '../requests/request-view.ts';
import { eventsAfter } from '../streams/event-log.ts';
import { findRequestOwner, listUsers, updateUser } from './user-admin-repository.ts';

// Sorts before every uuid: the keyset bound (created_before, MIN_ID) keeps exactly the rows created strictly before.
const MIN_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Every user's requests, newest first, optionally narrowed to one status, one user and a creation window. The
 * window's upper end is a keyset bound like the cursor, so the two combine by taking the earlier.
 */
export async function listAllRequests(deps: Pick<GatewayDeps, 'db'>, q: AdminListRequestsQuery) {
  const limit = q.limit ?? 20;
  const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
  const until = q.created_before ? { created_at: new Date(q.created_before).toISOString(), id: MIN_ID } : undefined;
  const before = !until || (cursor && Date.parse(cursor.created_at) < Date.parse(until.created_at)) ? cursor : until;
  const since = q.created_after ? new Date(q.created_after).toISOString() : undefined;
  if (since && until && since >= until.created_at)
    throw new AppError('validation_failed', 'created_after must be before created_before', {
      errors: [{ field: 'created_after', message: 'is not before created_before' }],
    });
  let userId = q.user_id ?? null;
  if (q.user_email !== undefined) {
    const owner = await findUserByEmail(deps.db, q.user_email);
    // A filter that matches nobody is an empty page, as an unknown user_id is.
    if (!owner || (userId !== null && owner.id !== userId)) return toPage([], limit, adminSummary);
    userId = owner.id;
  }
  const rows = await listRequests(deps.db, { userId, status: q.status, before, since, limit: limit + 1 });
  return toPage(rows, limit, adminSummary);
}

const adminSummary = (r: RequestRow) => ({ ...toSummary(r), user_id: r.user_id });

/** One request of any user, with what an operator needs to understand it: owner, event log, dead letters, trace link. */
export async function getAdminRequest(deps: Pick<GatewayDeps, 'db' | 'config'>, id: string): Promise<Static<typeof AdminRequestView>> {
  const request = await getRequest(deps.db, id, null);
  const [owner, events, letters] = await Promise.all([
    findRequestOwner(deps.db, id),
    eventsAfter(deps.db, id, 0),
    listDeadLetters(deps.db, { requestId: id, includeReplayed: true, limit: 100 }),
  ]);
  if (!owner) throw new AppError('not_found', `no content request ${id}`);
  const jaeger = deps.config.JAEGER_UI_URL?.replace(/\/+$/, '');
  return {
    ...request,
    user_id: owner.user_id,
    user_email: owner.email,
    events: events.map((e) => ({ seq: e.seq, event: e.event, data: e.data }) as Static<typeof RequestEventView>),
    dead_letters: letters.map(({ message: _message, ...row }) => row),
    trace_url: jaeger && request.trace_id ? `${jaeger}/trace/${request.trace_id}` : null,
  };
}

export async function listAllUsers(deps: Pick<GatewayDeps, 'db'>, q: AdminListUsersQuery) {
  const limit = q.limit ?? 20;
  const rows = await listUsers(deps.db, {
    day: quotaWindow().day,
    role: q.role,
    disabled: q.disabled,
    before: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: limit + 1,
  });
  return toPage(rows, limit, (r) => r);
}

/**
 * Role, quota override and disabling. Disabling ends every session of the user in the same transaction (the
 * per-request session check also refuses a disabled user at once). An admin cannot disable or demote
 * themselves: that is how the last admin locks everyone out.
 */
export async function patchUser(deps: Pick<GatewayDeps, 'db' | 'logger'>, actor: Principal, who: ClientContext, id: string, patch: AdminUserPatchBody) {
  if (id.toLowerCase() === actor.userId.toLowerCase() && (patch.disabled === true || patch.role === 'user'))
    throw new AppError('conflict', 'an admin cannot disable or demote their own account');
  const { user, ended } = await inTransaction(deps.db, async (tx) => {
    const updated = await updateUser(tx, quotaWindow().day, id, patch);
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
