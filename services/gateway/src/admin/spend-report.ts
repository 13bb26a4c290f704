import type { Static } from '@sinclair/typebox';
import { AppError, type AdminSpendPage, type AdminSpendQuery } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { quotaWindow } from '../requests/quota.ts';
import { spendByUser } from './spend-repository.ts';

const MAX_RANGE_DAYS = 366;

/** LLM spend per user over a range of UTC days (this month so far by default), from the daily counter rows. */
export async function spendReport(deps: Pick<GatewayDeps, 'db'>, q: AdminSpendQuery): Promise<Static<typeof AdminSpendPage>> {
  const window = quotaWindow();
  const from = q.from ?? (q.to ? `${q.to.slice(0, 8)}01` : window.monthStart);
  const to = q.to ?? window.day;
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days < 0) throw new AppError('validation_failed', 'from must not be after to', { errors: [{ field: 'from', message: 'is after to' }] });
  if (days >= MAX_RANGE_DAYS)
    throw new AppError('validation_failed', `a range spans at most ${MAX_RANGE_DAYS} days`, {
      errors: [{ field: 'from', message: `is more than ${MAX_RANGE_DAYS} days before to` }],
    });
  const rows = await spendByUser(deps.db, { from, to }, q.limit ?? 100);
  return { from, to, total_usd: rows[0]?.total_usd ?? 0, items: rows.map(({ total_usd: _total, ...row }) => row) };
}
