import http from 'k6/http';
import type { RefinedResponse, ResponseType, Params } from 'k6/http';
import { config } from './config.ts';

export type Res = RefinedResponse<ResponseType | undefined>;

/**
 * `kind: api` marks the calls the API latency thresholds judge; `kind: auth` the sign-ins of a scenario that tests
 * them (register and login hash a password with argon2id, slow on purpose: they have a bar of their own);
 * `kind: setup` the registrations and logins that only prepare a run.
 */
export type Kind = 'api' | 'auth' | 'setup';

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

interface CallOptions {
  token?: string;
  body?: unknown;
  kind?: Kind;
  /** Statuses that are the expected outcome of this call (a 401 after logout): not counted as failures. */
  expect?: number[];
  headers?: Record<string, string>;
}

/** One API call: JSON in, a `name` tag per route template so `/v1/requests/{id}` stays one series. */
export function call(method: string, name: string, path: string, opts: CallOptions = {}): Res {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let body: string | null = null;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const params: Params = { headers, tags: { name, kind: opts.kind ?? 'api' } };
  if (opts.expect) params.responseCallback = http.expectedStatuses(...opts.expect);
  return http.request(method, `${config.baseUrl}${path}`, body, params);
}

export function json<T>(res: Res): T | undefined {
  try {
    return res.json() as T;
  } catch {
    return undefined;
  }
}

export function uniqueEmail(label: string): string {
  const rand = Math.random().toString(36).slice(2, 10);
  return `k6-${label}-${Date.now()}-${__VU}-${__ITER}-${rand}@example.com`;
}

export const api = {
  register: (email: string, password: string, kind: Kind = 'auth') =>
    call('POST', 'POST /v1/auth/register', '/v1/auth/register', { body: { email, password }, kind, expect: [201] }),
  login: (email: string, password: string, kind: Kind = 'auth', expect: number[] = [200]) =>
    call('POST', 'POST /v1/auth/login', '/v1/auth/login', { body: { email, password }, kind, expect }),
  refresh: (refreshToken: string, expect: number[] = [200], kind: Kind = 'api') =>
    call('POST', 'POST /v1/auth/refresh', '/v1/auth/refresh', { body: { refresh_token: refreshToken }, kind, expect }),
  logout: (token: string) => call('POST', 'POST /v1/auth/logout', '/v1/auth/logout', { token, expect: [204] }),
  me: (token: string, expect: number[] = [200], kind: Kind = 'api') => call('GET', 'GET /v1/me', '/v1/me', { token, expect, kind }),
  /** `expect`: [202], or [202, 503] where shedding is an expected answer (a spike past what the workers drain). */
  submit: (token: string, body: unknown, headers?: Record<string, string>, expect: number[] = [202]) =>
    call('POST', 'POST /v1/requests', '/v1/requests', { token, body, expect, ...(headers ? { headers } : {}) }),
  getRequest: (token: string, id: string) => call('GET', 'GET /v1/requests/{id}', `/v1/requests/${id}`, { token, expect: [200] }),
};
