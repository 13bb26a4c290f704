// Auth flow: register, login, me, refresh rotation (the old refresh token is spent: presented again within
// REFRESH_REUSE_GRACE_S it gets the same successor, after it the whole family is revoked), a second login,
// logout (its access token stops working at once). An iteration waits out the grace window once (11 s by default).
// Register and login count against RATE_LIMIT_AUTH_PER_HOUR (per IP), 3 per iteration (refresh and logout have
// a per-session budget); every call counts on RATE_LIMIT_IP_PER_HOUR, about 10 per iteration. More than
// AUTH_ITERATIONS=1 or two runs an hour need those limits raised on staging.
import { check, group, sleep } from 'k6';
import type { Options } from 'k6/options';
import { api, json, uniqueEmail, type Tokens } from '../lib/api.ts';
import { config } from '../lib/config.ts';
import { apiThresholds, authThresholds } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: { auth: { executor: 'per-vu-iterations', vus: config.authVus, iterations: config.authIterations, maxDuration: '10m' } },
  // No submit or request read happens here: only the thresholds of what the flow calls.
  thresholds: {
    http_req_failed: apiThresholds.http_req_failed,
    'http_req_duration{kind:api}': apiThresholds['http_req_duration{kind:api}'],
    ...authThresholds,
    checks: ['rate==1'],
  },
};

const isPair = (t: Tokens | undefined): t is Tokens => !!t && typeof t.access_token === 'string' && typeof t.refresh_token === 'string' && t.expires_in > 0;

export default function (): void {
  const email = uniqueEmail('auth');
  const password = config.password;

  const pair1 = group('register and login', () => {
    const reg = api.register(email, password);
    const user = json<{ user?: { id?: string; email?: string; role?: string } }>(reg)?.user;
    check(reg, { 'register: 201 with a user role': (r) => r.status === 201 && user?.email === email && user.role === 'user' });
    const login = api.login(email, password);
    const tokens = json<Tokens & { token_type?: string }>(login);
    check(login, {
      'login: 200 with a Bearer pair': (r) => r.status === 200 && isPair(tokens) && tokens.token_type === 'Bearer',
      'login: not cacheable': (r) => r.status === 200 && (r.headers['Cache-Control'] ?? '').includes('no-store'),
    });
    return tokens;
  });
  if (!isPair(pair1)) return;

  group('me', () => {
    const me = api.me(pair1.access_token);
    const body = json<{ email?: string; quota?: { daily_quota?: number; used_today?: number } }>(me);
    check(me, { 'me: 200 with the quota': (r) => r.status === 200 && body?.email === email && typeof body.quota?.daily_quota === 'number' });
  });

  group('refresh rotation', () => {
    const res = api.refresh(pair1.refresh_token);
    const pair2 = json<Tokens>(res);
    check(res, { 'refresh: 200 with a new pair': (r) => r.status === 200 && isPair(pair2) && pair2.refresh_token !== pair1.refresh_token });
    if (!isPair(pair2)) return;
    check(api.me(pair2.access_token), { 'refresh: the new access token works': (r) => r.status === 200 });
    if (config.refreshReuseGraceS > 0) {
      const again = api.refresh(pair1.refresh_token);
      const same = json<Tokens>(again);
      check(again, {
        'reuse within the grace window: the same successor': (r) => r.status === 200 && isPair(same) && same.refresh_token === pair2.refresh_token,
      });
      sleep(config.refreshReuseGraceS + 1);
    }
    check(api.refresh(pair1.refresh_token, [401]), { 'reuse: a spent refresh token is 401': (r) => r.status === 401 });
    check(api.refresh(pair2.refresh_token, [401]), { 'reuse: the whole family is revoked': (r) => r.status === 401 });
  });

  group('logout', () => {
    const tokens = json<Tokens>(api.login(email, password));
    if (!isPair(tokens)) return;
    check(api.logout(tokens.access_token), { 'logout: 204': (r) => r.status === 204 });
    check(api.me(tokens.access_token, [401]), { 'logout: the access token stops at once': (r) => r.status === 401 });
    check(api.refresh(tokens.refresh_token, [401]), { 'logout: the refresh token is dead too': (r) => r.status === 401 });
  });
}
