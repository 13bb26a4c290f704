import { createHash } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';
import { AppError } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { gatewayCounter } from '../http/extra-metrics.ts';

export interface LoginThrottle {
  /** Throws 429 while the account or the client IP has too many recent failures, whether or not the email exists. */
  check(email: string, ip: string | undefined): Promise<void>;
  recordFailure(email: string, ip: string | undefined): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

/**
 * Brute-force brake for password checks (login and password change), in Redis so every replica sees the same
 * counts: LOGIN_FAILURES_PER_ACCOUNT failures for one email, or LOGIN_FAILURES_PER_IP from one client, within
 * LOGIN_FAILURE_WINDOW_S (fixed from the first failure) answer 429 with Retry-After until the window ends.
 * Keys hold a hash of the lower-cased email, so an unknown email is throttled exactly like a known one and
 * Redis holds no address. A success clears the account's count. Redis down: the check lets the attempt
 * through (logged and counted); argon2's cost still slows guessing, and the per-IP HTTP limit may still apply.
 */
export function createLoginThrottle(deps: Pick<GatewayDeps, 'redis' | 'config' | 'logger' | 'metrics'>): LoginThrottle {
  const { LOGIN_FAILURES_PER_ACCOUNT: perAccount, LOGIN_FAILURES_PER_IP: perIp, LOGIN_FAILURE_WINDOW_S: windowS } = deps.config;
  const storeErrors = gatewayCounter(deps.metrics.registry, 'pressroom_rate_limit_store_errors_total', 'Rate-limit checks passed without counting because Redis did not answer', ['limiter'] as const);
  const accountKey = (email: string) => `login:fail:acct:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
  const ipKey = (ip: string | undefined) => `login:fail:ip:${ipKeyGenerator(ip ?? 'unknown')}`;

  const unavailable = (err: unknown) => {
    storeErrors.inc({ limiter: 'login' });
    deps.logger.warn({ err }, 'login throttle unavailable; attempt not counted');
  };

  /** Runs a pipeline; ioredis reports per-command errors in the results, so both kinds are unwrapped here. */
  async function run(build: (p: ReturnType<GatewayDeps['redis']['pipeline']>) => void): Promise<unknown[] | undefined> {
    try {
      const p = deps.redis.pipeline();
      build(p);
      const results = (await p.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
      return results.map(([, value]) => value);
    } catch (err) {
      unavailable(err);
      return undefined;
    }
  }

  return {
    async check(email, ip) {
      const a = accountKey(email);
      const b = ipKey(ip);
      const values = await run((p) => p.get(a).pttl(a).get(b).pttl(b));
      if (!values) return;
      const [accountFails, accountTtl, ipFails, ipTtl] = values.map(Number) as [number, number, number, number];
      const blocked = accountFails >= perAccount ? { scope: 'account', ttl: accountTtl } : ipFails >= perIp ? { scope: 'ip', ttl: ipTtl } : undefined;
      if (!blocked) return;
      deps.metrics.rateLimited.inc({ limiter: `login_${blocked.scope}` });
      deps.logger.warn({ scope: blocked.scope }, 'sign-in throttled after repeated failures');
      const retryAfter = Math.max(1, Math.ceil((blocked.ttl > 0 ? blocked.ttl : windowS * 1000) / 1000));
      throw new AppError('rate_limited', 'too many failed sign-in attempts; try again later', { headers: { 'Retry-After': String(retryAfter) } });
    },
    async recordFailure(email, ip) {
      const a = accountKey(email);
      const b = ipKey(ip);
      // EXPIRE ... NX (Redis 7): the window is fixed from the first failure, later failures do not extend it.
      await run((p) => p.incr(a).expire(a, windowS, 'NX').incr(b).expire(b, windowS, 'NX'));
    },
    async recordSuccess(email) {
      await run((p) => p.del(accountKey(email)));
    },
  };
}
