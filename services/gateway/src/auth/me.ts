import type { Static } from '@sinclair/typebox';
import { AppError, type MeView } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { dailyQuotaOf, findUserWithMonthUsage, quotaWindow } from '../requests/quota.ts';

export async function getMe(deps: Pick<GatewayDeps, 'db' | 'config'>, userId: string): Promise<Static<typeof MeView>> {
  const window = quotaWindow();
  const user = await findUserWithMonthUsage(deps.db, userId, window);
  if (!user) throw new AppError('unauthorized', 'the account no longer exists');
  const resetsAt = window.resetsAt.toISOString();
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    quota: { daily_quota: dailyQuotaOf(user, deps.config), used_today: user.used_today, resets_at: resetsAt },
    spend: {
      today_usd: user.spent_today_usd,
      month_usd: user.spent_month_usd,
      daily_budget_usd: deps.config.DAILY_SPEND_BUDGET_USD ?? null,
      resets_at: resetsAt,
    },
  };
}
