// The CLI's HTTP side: one fetch wrapper that turns problem+json answers and unreachable gateways into errors
// that say what went wrong, and the credentials a command runs with.
import type { SessionCache } from './session-cache.ts';

/** A failure the CLI reports in one or a few lines and exits 1 for (never a stack trace). */
export class CliError extends Error {}

/** An RFC 9457 problem answer from the gateway. */
export class ApiError extends CliError {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: { field: string; message: string }[];

  constructor(
    method: string,
    path: string,
    status: number,
    problem: { code?: string; detail?: string; errors?: { field: string; message: string }[] } | undefined,
  ) {
    const code = problem?.code ?? `http_${status}`;
    super(`${method} ${path} answered ${status} ${code}: ${problem?.detail ?? 'no details'}`);
    this.status = status;
    this.code = code;
    this.fieldErrors = problem?.errors ?? [];
  }
}

export interface ApiClient {
  readonly baseUrl: string;
  /** The bearer credential, for the event stream (fetched outside `call`). */
  readonly token: string | undefined;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

function createApiClient(baseUrl: string, token?: string): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: base,
    token,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (err as Error).message;
        throw new CliError(
          `cannot reach the gateway at ${base} (${why}); is Pressroom running? Start it with \`pnpm start\`, or point --url / PRESSROOM_URL at it`,
        );
      }
      // The body can fail too (a reset connection, or the 30 s timeout while it streams): a message, not a stack.
      const text = await res.text().catch((err: unknown) => {
        throw new CliError(`the gateway's answer to ${method} ${path} broke off (${(err as Error).message}); try again`);
      });
      let data: unknown;
      try {
        data = text ? JSON.parse(text) : undefined;
      } catch {
        data = undefined;
      }
      if (!res.ok) throw new ApiError(method, path, res.status, data as ConstructorParameters<typeof ApiError>[3]);
      return data as T;
    },
  };
}

export interface Credentials {
  token?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
}

/**
 * PRESSROOM_TOKEN (an access token or API key) first, then PRESSROOM_EMAIL/PASSWORD, then `.env`'s bootstrap
 * admin. The pairs are never mixed: an account named by PRESSROOM_EMAIL is never sent the admin's password.
 */
export function credentialsFrom(env: NodeJS.ProcessEnv): Credentials {
  const token = env['PRESSROOM_TOKEN'] || undefined;
  const email = env['PRESSROOM_EMAIL'] || undefined;
  if (!token && email && !env['PRESSROOM_PASSWORD'])
    throw new CliError(`PRESSROOM_EMAIL is set (${email}) but PRESSROOM_PASSWORD is not: set both, or PRESSROOM_TOKEN`);
  return email
    ? { token, email, password: env['PRESSROOM_PASSWORD'] }
    : { token, email: env['BOOTSTRAP_ADMIN_EMAIL'], password: env['BOOTSTRAP_ADMIN_PASSWORD'] };
}

/**
 * A client holding a bearer token: the given one, or a session kept from an earlier run (its access token while it
 * lasts, else refreshed), or one from logging in. A kept token the gateway refuses (the session was ended) is
 * dropped and the call made again after a fresh login, once.
 */
export async function signIn(
  baseUrl: string,
  credentials: Credentials,
  cacheOf?: (email: string, password: string) => SessionCache | undefined,
): Promise<ApiClient> {
  if (credentials.token) return createApiClient(baseUrl, credentials.token);
  const { email, password } = credentials;
  if (!email || !password)
    throw new CliError(
      'no credentials: set PRESSROOM_TOKEN (an access token or API key), or PRESSROOM_EMAIL and PRESSROOM_PASSWORD, or run `pnpm start` once so that .env holds the bootstrap admin',
    );
  const cache = cacheOf?.(email, password);
  const anonymous = createApiClient(baseUrl);
  // A kept access token is used while it has long enough left for the longest wait of a command (watch's 10 minutes,
  // whose event stream reconnects with it), or half its life: after that, the next command refreshes it.
  const keep = (t: TokenAnswer) => {
    cache?.write({
      access_token: t.access_token,
      refresh_token: t.refresh_token,
      use_until: Date.now() + (t.expires_in - Math.min(660, t.expires_in / 2)) * 1000,
    });
    return t.access_token;
  };
  const login = async () => {
    try {
      return keep(await anonymous.call<TokenAnswer>('POST', '/v1/auth/login', { email, password }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401)
        throw new CliError(`login as ${email} refused (${err.code}): check PRESSROOM_EMAIL and PRESSROOM_PASSWORD`);
      throw err;
    }
  };
  const kept = cache?.read();
  let token: string | undefined;
  if (kept && kept.use_until > Date.now()) token = kept.access_token;
  else if (kept) token = await anonymous.call<TokenAnswer>('POST', '/v1/auth/refresh', { refresh_token: kept.refresh_token }).then(keep, () => undefined);
  const fromCache = token !== undefined;
  let client = createApiClient(baseUrl, token ?? (await login()));
  return {
    baseUrl: client.baseUrl,
    get token() {
      return client.token;
    },
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      try {
        return await client.call<T>(method, path, body);
      } catch (err) {
        if (!(fromCache && err instanceof ApiError && err.status === 401 && client.token === token)) throw err;
        cache?.clear();
        client = createApiClient(baseUrl, await login());
        return client.call<T>(method, path, body);
      }
    },
  };
}
