import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Logger } from '@pressroom/logger';
import { currentTraceId, type Metrics } from '@pressroom/telemetry';
import type { BudgetHit, IpBudget } from './ip-budget.ts';
import { problemBody } from './problem.ts';
import { refusalRoute } from './refusal-routes.ts';
import { IPV6_SUBNET } from './rate-limits.ts';
import { httpRequestIdFor } from './request-context.ts';
import { securityHeaders } from './security-headers.ts';

/** Answers the request and returns true, or returns false and leaves it to express. */
export type RefusalFastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

const MISSING_CREDENTIAL = 'a Bearer access token is required';

/**
 * A refusal that needs nothing but the request line and headers, answered before express, so a flood of
 * unauthenticated calls is cheap to refuse: a guarded route called without a usable credential
 * (refusal-routes.ts) gets the 401 the guards would give, or the 429 once the per-IP budget is spent, with the
 * same headers and body as express's answer, counted against the same budget. The body is not read: an
 * unauthenticated call is refused before its body is parsed. Tracing starts no server span for these
 * (main.ts passes refusalRoute to startTracing), so their `trace_id` is null; a flood would otherwise pay a
 * span per call. They are counted in http_request_duration_seconds and access-logged at debug only.
 */
export function createRefusalFastPath(deps: { ipBudget: IpBudget; trustProxyHops: number; metrics: Metrics; logger: Logger }): RefusalFastPath {
  const { ipBudget, metrics } = deps;
  const fixed = securityHeaderList();
  const policyTail = `; w=${Math.ceil(ipBudget.windowMs / 1000)}; pk=:`;

  function send(req: IncomingMessage, res: ServerResponse, route: string, started: number, status: number, headers: string[], body: string) {
    headers.push('X-Request-Id', httpRequestIdFor(req.headers['x-request-id'] as string | undefined), 'Content-Type', 'application/problem+json; charset=utf-8');
    headers.push('Content-Length', String(Buffer.byteLength(body)), 'ETag', weakEtag(body));
    res.writeHead(status, [...fixed, ...headers]);
    res.end(body);
    metrics.httpDuration.observe({ method: req.method ?? '', route, status: String(status) }, (performance.now() - started) / 1000);
    deps.logger.debug({ method: req.method, route, status, refused_early: true }, 'http request');
  }

  function answer(req: IncomingMessage, res: ServerResponse, route: string, key: string, started: number, hit: BudgetHit | undefined) {
    const headers: string[] = [];
    if (hit) {
      const reset = Math.max(0, Math.ceil((hit.resetTime.getTime() - Date.now()) / 1000));
      headers.push('RateLimit', `"ip"; r=${Math.max(ipBudget.limit - hit.totalHits, 0)}; t=${reset}`);
      headers.push('RateLimit-Policy', `"ip"; q=${ipBudget.limit}${policyTail}${ipBudget.partitionKey(key)}:`);
      if (hit.totalHits > ipBudget.limit) {
        metrics.rateLimited.inc({ limiter: 'ip' });
        headers.push('Retry-After', String(reset));
        const detail = `too many requests (ip limit of ${ipBudget.limit} per hour); retry after ${reset} s`;
        return send(req, res, route, started, 429, headers, JSON.stringify(problemBody('rate_limited', detail, currentTraceId())));
      }
    }
    headers.push('WWW-Authenticate', 'Bearer');
    send(req, res, route, started, 401, headers, JSON.stringify(problemBody('unauthorized', MISSING_CREDENTIAL, currentTraceId())));
  }

  return (req, res) => {
    const route = refusalRoute(req);
    if (route === undefined) return false;
    const ip = clientIp(req, deps.trustProxyHops);
    if (ip === undefined) return false;
    const started = performance.now();
    const key = ipKeyGenerator(ip, IPV6_SUBNET);
    const hit = ipBudget.hit(key);
    if (!(hit instanceof Promise)) answer(req, res, route, key, started, hit);
    // Redis did not answer: the budget fails open, as express-rate-limit's passOnStoreError does (no headers).
    else hit.then((h) => answer(req, res, route, key, started, h), () => answer(req, res, route, key, started, undefined));
    return true;
  };
}

/** express's `req.ip` under `trust proxy` = a hop count (proxy-addr): the address that many hops back, at most the first. */
export function clientIp(req: IncomingMessage, hops: number): string | undefined {
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
