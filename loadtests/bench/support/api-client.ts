import { randomUUID } from 'node:crypto';

export interface BenchUser {
  email: string;
  token: string;
}

export interface ApiReply {
  status: number;
  body: unknown;
}

async function call(method: 'GET' | 'POST', url: string, body?: unknown, token?: string): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text for the error message.
  }
  return { status: res.status, body: parsed };
}

export const postJson = (url: string, body: unknown, token?: string) => call('POST', url, body, token);
export const getJson = (url: string, token?: string) => call('GET', url, undefined, token);

/** Registers a fresh account and logs it in: the bench's requests go through real authentication. */
export async function registerAndLogin(baseUrl: string, label = 'bench'): Promise<BenchUser> {
  const email = `${label}-${randomUUID()}@example.com`;
  const password = 'bench password that is long enough';
  const reg = await postJson(`${baseUrl}/v1/auth/register`, { email, password });
  if (reg.status !== 201) throw new Error(`register answered ${reg.status}: ${JSON.stringify(reg.body)}`);
  const login = await postJson(`${baseUrl}/v1/auth/login`, { email, password });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${JSON.stringify(login.body)}`);
  return { email, token: (login.body as { access_token: string }).access_token };
}

/** `n` fresh accounts, 10 signing up at a time (each costs two argon2 hashes). */
export async function createUsers(baseUrl: string, n: number, label: string): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  for (let i = 0; i < n; i += 10)
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, k) => registerAndLogin(baseUrl, `${label}${i + k}`)))));
  return users;
}

/** POST /v1/requests; resolves with the id on 202, or the status otherwise (counted, never thrown). */
export async function submitRequest(baseUrl: string, token: string, body: unknown): Promise<{ id?: string; status: number }> {
  try {
    const res = await postJson(`${baseUrl}/v1/requests`, body, token);
    return res.status === 202 ? { id: (res.body as { id: string }).id, status: 202 } : { status: res.status };
  } catch {
    return { status: 0 };
  }
}

/**
 * Gateway settings for a bench: every limit and the quota far above anything a run sends, so that it
 * measures the system and not the limiter (the 429 round sets its own); retries on the production schedule;
 * access tokens that outlive a long run. Everything else stays at its production default. Settings a
 * gateway does not know yet are ignored by its config schema (it allows extra properties).
 */
export function unlimitedSettings(): Record<string, string> {
  const huge = String(1_000_000_000);
  return {
    LOG_LEVEL: 'warn',
    RATE_LIMIT_USER_PER_HOUR: huge,
    RATE_LIMIT_USER_READS_PER_HOUR: huge,
    RATE_LIMIT_IP_PER_HOUR: huge,
    RATE_LIMIT_IP_AUTHENTICATED_PER_HOUR: huge,
    RATE_LIMIT_AUTH_PER_HOUR: huge,
    DAILY_REQUEST_QUOTA: huge,
    // The login brake reserves a failure slot per attempt while argon2 runs: concurrent sign-ups from the
    // bench's one address would hit it. Both at their schema's maximum.
    LOGIN_FAILURES_PER_IP: '100000',
    LOGIN_FAILURES_PER_ACCOUNT: '1000',
    JWT_ACCESS_TTL: '7200',
    // test-support's environment shortens these for fast tests; the bench runs the production defaults.
    OUTBOX_POLL_MS: '1000',
    RETRY_BASE_MS: '1000',
    RETRY_FACTOR: '4',
    RETRY_MAX_MS: '60000',
  };
}
