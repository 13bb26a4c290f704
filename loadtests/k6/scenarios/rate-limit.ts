// Rate limit, against the REAL limits: one VU sends requests until the tightest limiter on the route has
// exactly nothing left, then one more, and checks that the 429 (problem+json `rate_limited`, Retry-After,
// draft-8 `RateLimit` / `RateLimit-Policy`) comes at exactly that request, not one earlier or later.
//   RL_TARGET=api  (default) GET /v1/me, an authenticated read: the user's read budget (`user-reads`,
//                  RATE_LIMIT_USER_READS_PER_HOUR) and the address's authenticated budget (`ip-authenticated`,
//                  RATE_LIMIT_IP_AUTHENTICATED_PER_HOUR) both count it; `ip` and `user` do not.
//   RL_TARGET=auth POST /v1/auth/login: `ip` (RATE_LIMIT_IP_PER_HOUR) and `auth` (RATE_LIMIT_AUTH_PER_HOUR).
// LIMIT_IP / LIMIT_USER / LIMIT_AUTH / LIMIT_USER_READS / LIMIT_IP_AUTHENTICATED are the limits staging runs with
// (default: the documented defaults); each policy the gateway announces must carry its configured quota.
// Counting follows the headers, so calls this IP already made in the window (setup's register and login count
// on `ip` and `auth`) still give an exact check; from a fresh window the run sends exactly LIMIT requests plus one.
import { check, fail } from 'k6';
import type { Options } from 'k6/options';
import { api, json, uniqueEmail, type Res, type Tokens } from '../lib/api.ts';
import { config } from '../lib/config.ts';
import { authThresholds } from '../lib/thresholds.ts';
import { header, limitStates, type LimitState } from '../lib/ratelimit-headers.ts';
import { login, type Credentials } from '../lib/session.ts';

const target = config.limitTarget;
if (target !== 'api' && target !== 'auth') throw new Error(`RL_TARGET must be api or auth, not "${target}"`);

export const options: Options = {
  // Up to MAX_LIMIT_REQUESTS calls one after another: 4,000 at 200 ms each is 13 minutes.
  scenarios: { ratelimit: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '30m' } },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate==1'],
    ...(target === 'auth' ? authThresholds : { 'http_req_duration{kind:api}': ['p(95)<200', 'p(99)<500'] }),
  },
};

interface Data {
  creds: Credentials;
  token: string;
  refreshToken: string;
  expiresIn: number;
}

export function setup(): Data {
  const creds = { email: uniqueEmail('ratelimit'), password: config.password };
  const reg = api.register(creds.email, creds.password, 'setup');
  if (reg.status !== 201) fail(`setup: register answered ${reg.status}`);
  if (target === 'auth') return { creds, token: '', refreshToken: '', expiresIn: 0 };
  const tokens = login(creds, 'setup');
  return { creds, token: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn: tokens.expires_in };
}

// The walk's token: refreshed before it expires (JWT_ACCESS_TTL, 15 min), which a slow walk of 3,600 reads can outlast.
let session: Tokens | undefined;
let refreshAt = 0;

function token(data: Data): string {
  if (!session) session = { access_token: data.token, refresh_token: data.refreshToken, expires_in: data.expiresIn };
  if (Date.now() >= refreshAt) {
    if (refreshAt > 0) {
      const res = api.refresh(session.refresh_token, [200], 'setup');
      const next = json<Tokens>(res);
      if (res.status !== 200 || !next) fail(`refreshing the walk's session answered ${res.status}`);
      session = next;
    }
    refreshAt = Date.now() + session.expires_in * 800;
  }
  return session.access_token;
}

/** One call of the walk; `over`: the call past the limit, whose 429 is the expected outcome (not a failed request). */
function send(data: Data, over = false): Res {
  const expect = over ? [429] : [200];
  return target === 'auth' ? api.login(data.creds.email, data.creds.password, 'auth', expect) : api.me(token(data), expect);
}

const stateOf = (res: Res, name: string) => limitStates(res).find((s) => s.name === name);
const describe = (res: Res) => `${res.status}, RateLimit: ${header(res, 'RateLimit')}, RateLimit-Policy: ${header(res, 'RateLimit-Policy')}`;

export default function (data: Data): void {
  const first = send(data);
  const states = limitStates(first);
  // The binding policy: the one with the fewest requests left (all of them count every request).
  const binding: LimitState | undefined = [...states].sort((a, b) => (a.remaining ?? Infinity) - (b.remaining ?? Infinity))[0];
  check(first, {
    'first: 2xx': (r) => r.status >= 200 && r.status < 300,
    'first: RateLimit-Policy and RateLimit name the same policies': () =>
      states.length > 0 && states.every((s) => s.remaining !== undefined && s.resetS !== undefined),
    'first: each policy announces its configured quota and a window': () =>
      states.every((s) => s.quota === (config.limits[s.name] ?? s.quota) && (s.windowS ?? 0) > 0),
  });
  if (!binding || binding.remaining === undefined || binding.quota === undefined) fail(`no usable RateLimit headers: ${describe(first)}`);
  // Never walk a limit nobody meant to test (a load-test config with limits in the millions).
  const expected = config.limits[binding.name];
  const setting = `LIMIT_${binding.name.toUpperCase().replace(/-/g, '_')}`;
  if (expected !== undefined && binding.quota !== expected)
    fail(`the gateway announces q=${binding.quota} for "${binding.name}" but ${setting}=${expected}: run against the real limits, or set ${setting}`);
  if (binding.remaining > config.maxLimitRequests)
    fail(`${binding.remaining} requests to reach the limit is more than MAX_LIMIT_REQUESTS=${config.maxLimitRequests}`);
  const used = binding.quota - binding.remaining;
  console.info(
    `binding policy "${binding.name}": q=${binding.quota}, ${used} request(s) counted so far in this window; sending ${binding.remaining} more, then one over`,
  );

  let last = first;
  for (let left = binding.remaining - 1; left >= 0; left--) {
    last = send(data);
    const ok = check(last, {
      'within the limit: 2xx': (r) => r.status >= 200 && r.status < 300,
      'within the limit: remaining counts down by exactly one': () => stateOf(last, binding.name)?.remaining === left,
    });
    if (!ok) fail(`request ${binding.quota - left} of ${binding.quota}: ${describe(last)}`);
  }
  check(last, { 'at the limit: the last allowed request says r=0': () => stateOf(last, binding.name)?.remaining === 0 });

  const over = send(data, true);
  const retryAfter = Number(header(over, 'Retry-After'));
  const problem = json<{ code?: string; status?: number }>(over);
  const s = stateOf(over, binding.name);
  check(over, {
    'over the limit: 429': (r) => r.status === 429,
    'over the limit: problem+json rate_limited': (r) =>
      (header(r, 'Content-Type') ?? '').startsWith('application/problem+json') && problem?.code === 'rate_limited' && problem.status === 429,
    'over the limit: Retry-After in whole seconds within the window': () =>
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= (binding.windowS ?? 0),
    'over the limit: RateLimit says r=0 for the policy': () => s?.remaining === 0,
    'over the limit: RateLimit-Policy still announces the quota': () => s?.quota === binding.quota,
  });
  if (over.status !== 429) console.error(`expected 429, got ${describe(over)}`);
}
