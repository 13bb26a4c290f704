import { fail } from 'k6';
import { api, json, call, uniqueEmail, type Tokens } from './api.ts';
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
  const admin = json<Tokens>(api.login(config.adminEmail!, config.adminPassword!, 'setup'));
  if (!admin) fail('setup: admin login failed');
  for (const u of users) {
    const tokens = json<Tokens>(api.login(u.email, u.password, 'setup'));
    const me = tokens && json<{ id: string }>(api.me(tokens.access_token));
    if (!me) fail(`setup: cannot read the id of ${u.email}`);
    const res = call('PATCH', 'PATCH /v1/admin/users/{id}', `/v1/admin/users/${me.id}`, {
      token: admin.access_token,
      body: { daily_quota: config.dailyQuota },
      kind: 'setup',
      expect: [200, 204],
    });
    if (res.status >= 300) fail(`setup: raising the quota of ${u.email} answered ${res.status}`);
  }
}

export function login(creds: Credentials, kind: 'api' | 'setup' = 'api'): Tokens {
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
  if (!session) {
    const creds = users[(__VU - 1) % users.length]!;
    const tokens = login(creds, 'setup');
    session = { tokens, refreshAt: now + tokens.expires_in * 800 };
  } else if (now >= session.refreshAt) {
    const res = api.refresh(session.tokens.refresh_token, [200], 'setup');
    const tokens = json<Tokens>(res);
    if (res.status !== 200 || !tokens) fail(`refresh answered ${res.status}`);
    session = { tokens, refreshAt: now + tokens.expires_in * 800 };
  }
  return session.tokens.access_token;
}
