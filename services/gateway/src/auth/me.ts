import { AppError } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { dailyQuotaOf, quotaWindow, usedOn } from '../requests/quota.ts';
import { findUserById } from './user-repository.ts';

export async function getMe(deps: Pick<GatewayDeps, 'db' | 'config'>, userId: string) {
  const user = await findUserById(deps.db, userId);
  if (!user) throw new AppError('unauthorized', 'the account no longer exists');
  const window = quotaWindow();
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    quota: { daily_quota: dailyQuotaOf(user, deps.config), used_today: await usedOn(deps.db, user.id, window.day), resets_at: window.resetsAt.toISOString() },
  };
}
