import type { RequestHandler } from 'express';
import { rateLimit, type Logger as LimiterLogger } from 'express-rate-limit';
import { AppError } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { principalOf } from './authenticate.ts';
import { gatewayCounter } from './extra-metrics.ts';
import { createRedisRateLimitStore } from './rate-limit-store.ts';

const HOUR_MS = 3_600_000;
// express-rate-limit's default: one bucket per /56, the usual size of one customer's IPv6 allocation.
const IPV6_SUBNET = 56;
const LOG_EVERY_MS = 30_000;

export interface RateLimits {
  /** Every API request, per client IP (after TRUST_PROXY_HOPS). */
  ip: RequestHandler;
  /** `/v1/auth/*`, per client IP: stricter, against credential stuffing and sign-up spam. */
  auth: RequestHandler;
  /** Every authenticated request, per user id; runs after `authenticate`. */
  user: RequestHandler;
}

/**
 * Redis down policy: the limiters fail OPEN (`passOnStoreError`). What must never fail open lives in
 * PostgreSQL, which the request needs anyway: the session check (a revoked token stays dead) and the daily
 * quota (the cost that matters). Failing closed would turn a cache outage into a full API outage. Each pass is
 * counted (pressroom_rate_limit_store_errors_total) and logged at warn, at most once per 30 s per limiter.
 */
export function createRateLimits(deps: Pick<GatewayDeps, 'config' | 'redis' | 'logger' | 'metrics'>): RateLimits {
  const storeErrors = gatewayCounter(deps.metrics.registry, 'pressroom_rate_limit_store_errors_total', 'Rate-limit checks passed without counting because Redis did not answer', ['limiter'] as const);

  function limiter(name: keyof RateLimits, limit: number, keyGenerator?: (req: Parameters<RequestHandler>[0]) => string): RequestHandler {
    let lastLog = 0;
    let suppressed = 0;
    const warn = (err: unknown, msg?: string) => {
      const now = Date.now();
      if (now - lastLog < LOG_EVERY_MS) {
        suppressed++;
        return;
      }
      deps.logger.warn({ err, limiter: name, suppressed }, msg ?? 'rate limiter problem');
      lastLog = now;
      suppressed = 0;
    };
    const logger: LimiterLogger = { warn, error: warn };
    return rateLimit({
      windowMs: HOUR_MS,
      limit,
      identifier: name,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      ...(keyGenerator ? { keyGenerator } : { ipv6Subnet: IPV6_SUBNET }),
      store: createRedisRateLimitStore(deps.redis, name, () => storeErrors.inc({ limiter: name })),
      passOnStoreError: true,
      logger,
      // With TRUST_PROXY_HOPS=0 a client-sent X-Forwarded-For is ignored on purpose; that is not a misconfiguration.
      validate: { xForwardedForHeader: false },
      handler: (_req, res, next) => {
        deps.metrics.rateLimited.inc({ limiter: name });
        next(new AppError('rate_limited', `too many requests (${name} limit of ${limit} per hour); retry after ${res.get('Retry-After') ?? 'a while'} s`));
      },
    });
  }

  return {
    ip: limiter('ip', deps.config.RATE_LIMIT_IP_PER_HOUR),
    auth: limiter('auth', deps.config.RATE_LIMIT_AUTH_PER_HOUR),
    user: limiter('user', deps.config.RATE_LIMIT_USER_PER_HOUR, (req) => principalOf(req).userId),
  };
}
