import type { Response } from 'express';

/**
 * The daily quota as one more draft-8 policy beside the hourly limiters' (`"quota"; q=<limit>; w=86400` and
 * `"quota"; r=<left>; t=<seconds to the UTC day's end>`), on the submissions that spend it. The count comes from
 * the submit statement itself, so advertising it costs no round trip.
 */
export function advertiseQuota(res: Response, quota: { limit: number; used: number; resetsAt: Date }): void {
  const resetS = Math.max(0, Math.ceil((quota.resetsAt.getTime() - Date.now()) / 1000));
  res.append('RateLimit-Policy', `"quota"; q=${quota.limit}; w=86400`);
  res.append('RateLimit', `"quota"; r=${Math.max(0, quota.limit - quota.used)}; t=${resetS}`);
}
