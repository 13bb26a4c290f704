import { randomUUID } from 'node:crypto';

export interface BenchUser {
  email: string;
  token: string;
}

async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

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
 * Gateway settings for a bench: limits and quota far above anything a run sends, so that it measures the
 * system and not the limiter; everything else at its production default.
 */
export function unlimitedSettings(): Record<string, string> {
  const huge = String(1_000_000_000);
  return {
    LOG_LEVEL: 'warn',
    RATE_LIMIT_USER_PER_HOUR: huge,
    RATE_LIMIT_IP_PER_HOUR: huge,
    RATE_LIMIT_AUTH_PER_HOUR: huge,
    DAILY_REQUEST_QUOTA: huge,
    OUTBOX_POLL_MS: '1000',
  };
}
