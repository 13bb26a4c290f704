import { fail } from 'k6';
import { api, json, call, uniqueEmail, type Kind, type Tokens } from './api.ts';
import { config } from './config.ts';

export interface Credentials {
  email: string;
  password: string;
}

/**
 * The accounts a run uses: USER_EMAIL/USER_PASSWORD when given, else `USERS` accounts registered now.
 * With ADMIN_EMAIL/ADMIN_PASSWORD the daily quota of each is raised so that a long run is not cut off by it.
 */
export function prepareUsers(): Credentials[] {
  let users: Credentials[];
  if (config.userEmail && config.userPassword) users = [{ email: config.userEmail, password: config.userPassword }];
  else {
    users = [];
    for (let i = 0; i < config.users; i++) {
      const creds = { email: uniqueEmail(`user${i}`), password: config.password };
      const res = api.register(creds.email, creds.password, 'setup');
      if (res.status !== 201) fail(`setup: register answered ${res.status}: ${String(res.body).slice(0, 300)}`);
      users.push(creds);
    }
  }
  if (config.adminEmail && config.adminPassword) raiseQuotas(users);
  return users;
}

function raiseQuotas(users: Credentials[]): void {
  const admin = login({ email: config.adminEmail!, password: config.adminPassword! }, 'setup');
  for (const u of users) {
    const tokens = login(u, 'setup');
    const read = api.me(tokens.access_token, [200], 'setup');
    const me = json<{ id?: string }>(read);
    if (read.status !== 200 || typeof me?.id !== 'string') fail(`setup: cannot read the id of ${u.email}: GET /v1/me answered ${read.status}`);
    const res = call('PATCH', 'PATCH /v1/admin/users/{id}', `/v1/admin/users/${me.id}`, {
      token: admin.access_token,
      body: { daily_quota: config.dailyQuota },
      kind: 'setup',
      expect: [200, 204],
    });
    if (res.status >= 300) fail(`setup: raising the quota of ${u.email} answered ${res.status}`);
  }
}

export function login(creds: Credentials, kind: Kind = 'auth'): Tokens {
  const res = api.login(creds.email, creds.password, kind);
  const tokens = json<Tokens>(res);
  if (res.status !== 200 || !tokens) fail(`login of ${creds.email} answered ${res.status}: ${String(res.body).slice(0, 300)}`);
  return tokens;
}

// Per-VU state (each VU has its own copy of this module): one session per VU, so that refresh rotation
// never presents a refresh token another VU already spent, which would revoke the whole family.
let session: { tokens: Tokens; refreshAt: number } | undefined;

/** The VU's access token: logs in on first use, rotates the refresh token before the access token expires. */
export function accessToken(users: Credentials[]): string {
  const now = Date.now();
  const creds = users[(__VU - 1) % users.length]!;
  if (!session) {
    const tokens = login(creds, 'setup');
    session = { tokens, refreshAt: now + tokens.expires_in * 800 };
  } else if (now >= session.refreshAt) {
    const res = api.refresh(session.tokens.refresh_token, [200], 'setup');
    const tokens = json<Tokens>(res);
    // A refresh lost on the way (a timeout after the gateway rotated the token) leaves this VU a spent token, and
    // its next refresh would be reuse: the VU signs in again rather than failing every later iteration.
    if (res.status !== 200 || !tokens) console.warn(`VU ${__VU}: refresh answered ${res.status}; signing in again`);
    const next = res.status === 200 && tokens ? tokens : login(creds, 'setup');
    session = { tokens: next, refreshAt: now + next.expires_in * 800 };
  }
  return session.tokens.access_token;
}
