import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Logger as LimiterLogger, type Store } from 'express-rate-limit';
import { AppError } from '@pressroom/contracts';
import type { GatewayDeps } from '../deps.ts';
import { principalOf } from './authenticate.ts';
import { rateLimitStoreErrors } from './extra-metrics.ts';
import { createBudget, type Budget, type SpentKeys } from './counted-budget.ts';
import { createRedisRateLimitStore, pipelinedSender, type SendCommand } from './rate-limit-store.ts';
import { SUBMIT_OR_CANCEL } from './refusal-routes.ts';

const HOUR_MS = 3_600_000;
// express-rate-limit's default: one bucket per /56, the usual size of one customer's IPv6 allocation.
export const IPV6_SUBNET = 56;
const LOG_EVERY_MS = 30_000;

type LimiterName = 'ip' | 'auth' | 'user' | 'user-reads' | 'ip-authenticated';

export interface RateLimits {
  /** Calls without a credential, per client IP (after TRUST_PROXY_HOPS): RATE_LIMIT_IP_PER_HOUR. */
  ip: RequestHandler;
  /** The same `ip` budget, for a call whose credential was refused (guards.ts runs it after a failed authentication). */
  unauthenticated: RequestHandler;
  /** Register and login, per client IP: stricter, against credential stuffing and sign-up spam. */
  auth: RequestHandler;
  /**
   * After authentication: the user's budget for the route (submissions and cancels, or everything else) and the
   * per-address ceiling for authenticated calls, checked side by side in one Redis round trip.
   */
  user: RequestHandler;
}

// Event streams count against MAX_STREAMS_PER_USER (open at once), not against an hourly budget.
const EVENT_STREAM = /^\/v1\/requests\/[^/]+\/events\/?$/i;
// Public by nature: a stray Authorization header does not take these out of the per-IP budget.
const PUBLIC_AUTH = /^\/v1\/auth\/(register|login|refresh)\/?$/i;
// The sign-in bucket: refresh, logout and password change are limited per session family instead (session-budget.ts).
const SIGN_IN = /^\/v1\/auth\/(register|login)\/?$/i;
// A refresh carries its credential in the body: it spends the per-IP budget only when that credential is refused
// (auth-routes.ts), like a refused Authorization header, or users behind one address would starve each other.
const REFRESH = /^\/v1\/auth\/refresh\/?$/i;

// The full (normalised) path: a router mounted with `use('/v1/requests', ...)` strips its mount point from req.path.
const pathOf = (req: Request) => `${req.baseUrl}${req.path}`;
// Every authenticated call other than a submission or a cancel is a read.
const isSubmitOrCancel = (req: Request) => req.method === 'POST' && SUBMIT_OR_CANCEL.test(pathOf(req));
const isEventStream = (req: Request) => req.method === 'GET' && EVENT_STREAM.test(pathOf(req));
export const carriesCredential = (req: Request) =>
  (req.headers.authorization !== undefined || typeof req.query['ticket'] === 'string') && !PUBLIC_AUTH.test(pathOf(req));

/**
 * Each budget is its own policy in `RateLimit-Policy` with its `RateLimit` values (draft-8, one item per limiter,
 * named by `identifier`). Redis down policy: the limiters fail OPEN (`passOnStoreError`). What must never fail
 * open lives in PostgreSQL, which the request needs anyway: the session check (a revoked token stays dead) and
 * the daily quota (the cost that matters). Failing closed would turn a cache outage into a full API outage. Each
 * pass is counted (pressroom_rate_limit_store_errors_total) and logged at warn, at most once per 30 s per limiter.
 */
export function createRateLimits(
  deps: Pick<GatewayDeps, 'config' | 'redis' | 'logger' | 'metrics'>,
  budgets: GatewayBudgets = createGatewayBudgets(deps),
): RateLimits {
  const storeErrors = rateLimitStoreErrors(deps.metrics.registry);
  const pipelined = pipelinedSender(deps.redis);

  function limiter(
    name: LimiterName,
    limit: number,
    opts: { keyGenerator?: (req: Request) => string; skip?: (req: Request) => boolean; send?: SendCommand; store?: Store } = {},
  ): RequestHandler {
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
      requestPropertyName: `rateLimit_${name}`,
      ...(opts.keyGenerator ? { keyGenerator: opts.keyGenerator } : { ipv6Subnet: IPV6_SUBNET }),
      ...(opts.skip ? { skip: opts.skip } : {}),
      store: opts.store ?? createRedisRateLimitStore(deps.redis, name, () => storeErrors.inc({ limiter: name }), opts.send),
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

  const byUser = (req: Request) => principalOf(req).userId;
  const c = deps.config;
  return {
    // A refresh from an address that has spent the budget is counted, so refused, before its token is looked up: only
    // PostgreSQL can tell a made-up refresh token from a real one (as with API keys in the refusal fast path).
    ip: limiter('ip', budgets.ip.limit, {
      skip: (req) => carriesCredential(req) || (REFRESH.test(pathOf(req)) && budgets.ip.spentUntil(ipKeyGenerator(req.ip ?? '', IPV6_SUBNET)) === undefined),
      store: budgets.ip.store(),
    }),
    unauthenticated: limiter('ip', budgets.ip.limit, { store: budgets.ip.store() }),
    auth: limiter('auth', c.RATE_LIMIT_AUTH_PER_HOUR, { skip: (req) => !SIGN_IN.test(pathOf(req)) }),
    user: sideBySide([
      limiter('ip-authenticated', c.RATE_LIMIT_IP_AUTHENTICATED_PER_HOUR, { skip: isEventStream, send: pipelined }),
      limiter('user', budgets.user.limit, { keyGenerator: byUser, skip: (req) => !isSubmitOrCancel(req), store: budgets.user.store() }),
      limiter('user-reads', c.RATE_LIMIT_USER_READS_PER_HOUR, {
        keyGenerator: byUser,
        skip: (req) => isSubmitOrCancel(req) || isEventStream(req),
        send: pipelined,
      }),
    ]),
  };
}

/** The budgets the refusal fast path (refusal-fast-path.ts) shares with their limiters. */
export interface GatewayBudgets {
  /** RATE_LIMIT_IP_PER_HOUR, for calls without a valid credential (the `ip` limiters). */
  ip: Budget;
  /** RATE_LIMIT_USER_PER_HOUR, the user's submissions and cancels (the `user` limiter). */
  user: Budget;
}

/** `spentUsers`: the user budget's memory of spent users, when the tracing hook consults it too (main.ts). */
export function createGatewayBudgets(deps: Pick<GatewayDeps, 'config' | 'redis' | 'metrics'>, spentUsers?: SpentKeys): GatewayBudgets {
  const storeErrors = rateLimitStoreErrors(deps.metrics.registry);
  const budget = (name: 'ip' | 'user', limit: number, spent?: SpentKeys) =>
    createBudget({ name, redis: deps.redis, limit, windowMs: HOUR_MS, onError: () => storeErrors.inc({ limiter: name }), ...(spent ? { spent } : {}) });
  return { ip: budget('ip', deps.config.RATE_LIMIT_IP_PER_HOUR), user: budget('user', deps.config.RATE_LIMIT_USER_PER_HOUR, spentUsers) };
}

/** Runs middleware at the same time (their Redis calls share a pipeline) and goes on once all have; the first refusal wins. */
function sideBySide(handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let pending = handlers.length;
    let failure: unknown;
    for (const handler of handlers) {
      const done = (err?: unknown) => {
        if (err !== undefined && err !== 'route' && failure === undefined) failure = err;
        if (--pending === 0) next(failure);
      };
      Promise.resolve(handler(req, res, done)).catch(done);
    }
  };
}
