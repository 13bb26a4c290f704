import type { Static } from '@sinclair/typebox';
import { AppError, type MeView } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { dailyQuotaOf, quotaWindow, usageThisMonth } from '../requests/quota.ts';
import { findUserById } from './user-repository.ts';

export async function getMe(deps: Pick<GatewayDeps, 'db' | 'config'>, userId: string): Promise<Static<typeof MeView>> {
  const user = await findUserById(deps.db, userId);
  if (!user) throw new AppError('unauthorized', 'the account no longer exists');
  const window = quotaWindow();
  const usage = await usageThisMonth(deps.db, user.id, window);
  const resetsAt = window.resetsAt.toISOString();
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    quota: { daily_quota: dailyQuotaOf(user, deps.config), used_today: usage.used_today, resets_at: resetsAt },
    spend: {
      today_usd: usage.spent_today_usd,
      month_usd: usage.spent_month_usd,
      daily_budget_usd: deps.config.DAILY_SPEND_BUDGET_USD ?? null,
      resets_at: resetsAt,
    },
  };
}
