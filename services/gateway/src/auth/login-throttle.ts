import { createHash } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';
import { AppError } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { rateLimitStoreErrors } from '../http/extra-metrics.ts';

export interface LoginThrottle {
  /**
   * Reserves one failure slot for the account before the password is checked, or throws 429 while the account's
   * or the client IP's failures are at their limit, whether or not the email exists. The slot counts as a
   * failure until released.
   */
  reserve(email: string, ip: string | undefined): Promise<void>;
  /** The password was right: the account's count starts again. */
  release(email: string, ip: string | undefined): Promise<void>;
  /** The password was wrong: the client IP's failure count grows (the account's slot stays spent). */
  failed(email: string, ip: string | undefined): Promise<void>;
}

/**
 * One script, so the check and the reservation are a single step: N concurrent guesses at one account cannot
 * all read "4 failures so far" while argon2 runs for each. Replies [0] when reserved, [1, pttl] when the account
 * is full, [2, pttl] when the IP is. The IP is checked but not reserved: it counts failures only (FAIL below),
 * so fifty people signing in at once behind one office NAT are not refused for being many; what one address
 * can guess at one account is still bounded by the account's reservation. EXPIRE ... NX (Redis 7): the window
 * is fixed from the first failure.
 */
const RESERVE = `
local a = tonumber(redis.call('GET', KEYS[1]) or '0')
if a >= tonumber(ARGV[1]) then return {1, redis.call('PTTL', KEYS[1])} end
local b = tonumber(redis.call('GET', KEYS[2]) or '0')
if b >= tonumber(ARGV[2]) then return {2, redis.call('PTTL', KEYS[2])} end
redis.call('INCR', KEYS[1]); redis.call('EXPIRE', KEYS[1], ARGV[3], 'NX')
return {0, 0}
`;

/**
 * Brute-force brake for password checks (login and password change), in Redis so every replica sees the same
 * counts: LOGIN_FAILURES_PER_ACCOUNT failures for one email, or LOGIN_FAILURES_PER_IP from one client, within
 * LOGIN_FAILURE_WINDOW_S (fixed from the first failure) answer 429 with Retry-After until the window ends.
 * Keys hold a hash of the lower-cased email, so an unknown email is throttled exactly like a known one and
 * Redis holds no address. Redis down: the attempt goes through (logged and counted); argon2's cost still
 * slows guessing, and the per-IP HTTP limit may still apply.
 */
export function createLoginThrottle(deps: Pick<GatewayDeps, 'redis' | 'config' | 'logger' | 'metrics'>): LoginThrottle {
  const { LOGIN_FAILURES_PER_ACCOUNT: perAccount, LOGIN_FAILURES_PER_IP: perIp, LOGIN_FAILURE_WINDOW_S: windowS } = deps.config;
  const storeErrors = rateLimitStoreErrors(deps.metrics.registry);
  const accountKey = (email: string) => `login:fail:acct:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
  const ipKey = (ip: string | undefined) => `login:fail:ip:${ipKeyGenerator(ip ?? 'unknown')}`;

  const unavailable = (err: unknown) => {
    storeErrors.inc({ limiter: 'login' });
    deps.logger.warn({ err }, 'login throttle unavailable; attempt not counted');
  };

  return {
    async reserve(email, ip) {
      let reply: [number, number];
      try {
        reply = (await deps.redis.eval(RESERVE, 2, accountKey(email), ipKey(ip), perAccount, perIp, windowS)) as [number, number];
      } catch (err) {
        unavailable(err);
        return;
      }
      const [verdict, ttl] = reply;
      if (verdict === 0) return;
      const scope = verdict === 1 ? 'account' : 'ip';
      deps.metrics.rateLimited.inc({ limiter: `login_${scope}` });
      deps.logger.warn({ scope }, 'sign-in throttled after repeated failures');
      const retryAfter = Math.max(1, Math.ceil((ttl > 0 ? ttl : windowS * 1000) / 1000));
      throw new AppError('rate_limited', 'too many failed sign-in attempts; try again later', { headers: { 'Retry-After': String(retryAfter) } });
    },
    async release(email) {
      try {
        await deps.redis.del(accountKey(email));
      } catch (err) {
        unavailable(err);
      }
    },
    async failed(_email, ip) {
      try {
        await deps.redis.multi().incr(ipKey(ip)).expire(ipKey(ip), windowS, 'NX').exec();
      } catch (err) {
        unavailable(err);
      }
    },
  };
}
