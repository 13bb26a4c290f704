import { AppError, type RequestStatus } from '@pressroom/contracts';
import { tagContentRequest } from '@pressroom/telemetry';
import type { Db } from '../db/pool.ts';
import { decodeCursor, toPage } from './cursor.ts';
import { findRequestDetail, listRequests } from './request-repository.ts';
import { toDetail, toSummary } from './request-view.ts';

/** `userId` null means every user's (the admin view); otherwise another user's request is simply not found. */
export async function getRequest(db: Db, id: string, userId: string | null) {
  tagContentRequest(id);
  const found = await findRequestDetail(db, id, userId);
  if (!found) throw new AppError('not_found', `no content request ${id}`);
  return toDetail(found.request, found.stages);
}

export async function listRequestPage(
  db: Db,
  q: { userId: string | null; status?: RequestStatus | undefined; limit?: number | undefined; cursor?: string | undefined },
) {
  const limit = q.limit ?? 20;
  const rows = await listRequests(db, { userId: q.userId, status: q.status, before: q.cursor ? decodeCursor(q.cursor) : undefined, limit: limit + 1 });
  return toPage(rows, limit, toSummary);
}
