import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Logger } from '@pressroom/logger';
import { currentTraceId, type Metrics } from '@pressroom/telemetry';
import type { Budget, BudgetHit } from './counted-budget.ts';
import { problemBody } from './problem.ts';
import type { Refusal, Refusals } from './refusal-routes.ts';
import { IPV6_SUBNET, type GatewayBudgets } from './rate-limits.ts';
import { httpRequestIdFor } from './http-request-id.ts';
import { securityHeaders } from './security-headers.ts';

/** Answers the request and returns true, or returns false and leaves it to express. */
export type RefusalFastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

interface Problem {
  body: string;
  length: string;
  etag: string;
}

// Problem bodies remembered at most (a 429's detail names the seconds left, so one per second of an hour and limiter).
const MAX_REMEMBERED = 10_000;

const UNAUTHORIZED = {
  missing: { detail: 'a Bearer access token is required', challenge: 'Bearer' },
  invalid: { detail: 'the access token is invalid or expired', challenge: 'Bearer error="invalid_token"' },
} as const;

/**
 * A refusal that needs nothing but the request line and headers (refusal-routes.ts decides which), answered
 * before express with the same status, headers and body as express's answer, so a flood is cheap to refuse:
 * - a guarded route called without a usable credential, or with a token whose signature or expiry fails: the
 *   401 the guards would give, counted against the per-IP budget as express counts it, or 429 once it is spent;
 * - a call with an API key from an address whose per-IP budget (calls without a valid credential: none, or
 *   refused) this replica has seen spent: its 429, without looking the key up. An API key can only be told from a guess by PostgreSQL, so a
 *   flood of made-up keys would otherwise cost a database round trip per call however long it had been refused;
 *   a valid key from that address waits for the window too, as calls without a credential do;
 * - a submission or cancel by a user whose submission budget is spent (seen by the `user` limiter on this
 *   replica): the `user` limiter's 429, not counted again (a spent budget only grows until its window
 *   resets) and not charged to the address's `ip-authenticated` ceiling, so its answer names the `user` policy alone.
 * The body is not read. It runs in front of the HTTP instrumentation (gateway.ts), so these start no server span
 * and their `trace_id` is null; a flood would otherwise pay a span per call. They are counted in
 * http_request_duration_seconds and access-logged at debug only.
 */
export function createRefusalFastPath(deps: {
  budgets: GatewayBudgets;
  classify: Refusals['classify'];
  trustProxyHops: number;
  metrics: Metrics;
  logger: Logger;
}): RefusalFastPath {
  const { budgets, metrics } = deps;
  const fixed = securityHeaderList();
  const policyTail = (budget: Budget) => `; w=${Math.ceil(budget.windowMs / 1000)}; pk=:`;
  // A flood repeats a handful of answers: the same problem bodies (a 401's, a 429's for each second left in its
  // window) and metric series. Both are made once; only a body that names a trace is made per call.
  const problems = new Map<string, Problem>();
  const durations = new Map<string, { observe(seconds: number): void }>();
  const refusals = new Map<string, { inc(): void }>();

  function problem(code: 'unauthorized' | 'rate_limited', detail: string): Problem {
    const traceId = currentTraceId();
    const key = traceId === null ? `${code} ${detail}` : undefined;
    const known = key === undefined ? undefined : problems.get(key);
    if (known) return known;
    const body = JSON.stringify(problemBody(code, detail, traceId));
    const made = { body, length: String(Buffer.byteLength(body)), etag: weakEtag(body) };
    if (key !== undefined && problems.size < MAX_REMEMBERED) problems.set(key, made);
    return made;
  }

  function durationOf(method: string, route: string, status: number) {
    const key = `${method} ${route} ${status}`;
    let series = durations.get(key);
    if (!series) durations.set(key, (series = metrics.httpDuration.labels({ method, route, status: String(status) })));
    return series;
  }

  function send(req: IncomingMessage, res: ServerResponse, route: string, started: number, status: number, headers: string[], answer: Problem) {
    headers.push(
      'X-Request-Id',
      httpRequestIdFor(req.headers['x-request-id'] as string | undefined),
      'Content-Type',
      'application/problem+json; charset=utf-8',
    );
    headers.push('Content-Length', answer.length, 'ETag', answer.etag);
    res.writeHead(status, [...fixed, ...headers]);
    res.end(answer.body);
    durationOf(req.method ?? '', route, status).observe((performance.now() - started) / 1000);
    if (deps.logger.isLevelEnabled('debug')) deps.logger.debug({ method: req.method, route, status, refused_early: true }, 'http request');
  }

  /** The draft-8 headers of one budget (express-rate-limit's), then 429 `rate_limited` if the hit is over it. */
  function limited(budget: Budget, key: string, hit: BudgetHit, headers: string[]): Problem | undefined {
    const reset = Math.max(0, Math.ceil((hit.resetTime.getTime() - Date.now()) / 1000));
    headers.push('RateLimit', `"${budget.name}"; r=${Math.max(budget.limit - hit.totalHits, 0)}; t=${reset}`);
    headers.push('RateLimit-Policy', `"${budget.name}"; q=${budget.limit}${policyTail(budget)}${budget.partitionKey(key)}:`);
    if (hit.totalHits <= budget.limit) return undefined;
    let refused = refusals.get(budget.name);
    if (!refused) refusals.set(budget.name, (refused = metrics.rateLimited.labels({ limiter: budget.name })));
    refused.inc();
    headers.push('Retry-After', String(reset));
    return problem('rate_limited', `too many requests (${budget.name} limit of ${budget.limit} per hour); retry after ${reset} s`);
  }

  function unauthorized(req: IncomingMessage, res: ServerResponse, refusal: Refusal, key: string, started: number, hit: BudgetHit | undefined) {
    const headers: string[] = [];
    const tooMany = hit && limited(budgets.ip, key, hit, headers);
    if (tooMany) return send(req, res, refusal.route, started, 429, headers, tooMany);
    const { detail, challenge } = UNAUTHORIZED[refusal.reason === 'invalid' ? 'invalid' : 'missing'];
    headers.push('WWW-Authenticate', challenge);
    send(req, res, refusal.route, started, 401, headers, problem('unauthorized', detail));
  }

  return (req, res) => {
    const refusal = deps.classify(req);
    if (refusal === undefined) return false;
    const started = performance.now();
    if (refusal.reason === 'user-spent') {
      const headers: string[] = [];
      const body = limited(budgets.user, refusal.userId, { totalHits: budgets.user.limit + 1, resetTime: new Date(refusal.until) }, headers)!;
      send(req, res, refusal.route, started, 429, headers, body);
      return true;
    }
    const ip = clientIp(req, deps.trustProxyHops);
    if (ip === undefined) return false;
    const key = ipKeyGenerator(ip, IPV6_SUBNET);
    if (refusal.reason === 'api-key') {
      const until = budgets.ip.spentUntil(key);
      if (until === undefined) return false;
      const headers: string[] = [];
      const body = limited(budgets.ip, key, { totalHits: budgets.ip.limit + 1, resetTime: new Date(until) }, headers)!;
      send(req, res, refusal.route, started, 429, headers, body);
      return true;
    }
    const hit = budgets.ip.hit(key);
    if (!(hit instanceof Promise)) unauthorized(req, res, refusal, key, started, hit);
    // Redis did not answer: the budget fails open, as express-rate-limit's passOnStoreError does (no headers).
    else
      hit.then(
        (h) => unauthorized(req, res, refusal, key, started, h),
        () => unauthorized(req, res, refusal, key, started, undefined),
      );
    return true;
  };
}

/** express's `req.ip` under `trust proxy` = a hop count (proxy-addr): the address that many hops back, at most the first. */
function clientIp(req: IncomingMessage, hops: number): string | undefined {
  const socket = req.socket.remoteAddress;
  if (socket === undefined) return undefined;
  if (hops <= 0) return socket;
  const forwarded = forwardedFor(String(req.headers['x-forwarded-for'] ?? ''));
  return forwarded[Math.min(hops, forwarded.length) - 1] ?? socket;
}

// The `forwarded` package's parse: comma-separated, spaces trimmed, nearest hop first.
function forwardedFor(header: string): string[] {
  return header
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reverse();
}

/** express's default ETag (the `etag` package, weak): length and SHA-1 of the body. */
function weakEtag(body: string): string {
  return `W/"${Buffer.byteLength(body).toString(16)}-${createHash('sha1').update(body, 'utf8').digest('base64').substring(0, 27)}"`;
}

/** The headers securityHeaders() sets on every answer, captured once by running it against a recorder. */
function securityHeaderList(): string[] {
  const set = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: unknown) => set.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => set.delete(name.toLowerCase()),
    set: (name: string, value: unknown) => set.set(name.toLowerCase(), String(value)),
  };
  for (const mw of securityHeaders() as RequestHandler[]) mw({} as never, recorder as never, () => undefined);
  return [...set].flat();
}
