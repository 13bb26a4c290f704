import { cleanupBroker, cleanupRedis, createDatabase, dropDatabase, testConfig, testId } from '@pressroom/test-support';
import { createLogger } from '@pressroom/logger';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/gateway.ts';

/**
 * Rate limits are opened wide for functional tests (they poll and register many users from one IP); the
 * security suite sets the limits it tests explicitly.
 */
const NO_RATE_LIMITS = {
  RATE_LIMIT_IP_PER_HOUR: '1000000',
  RATE_LIMIT_USER_PER_HOUR: '1000000',
  RATE_LIMIT_AUTH_PER_HOUR: '1000000',
  LOGIN_FAILURES_PER_IP: '100000',
};

/** A gateway on a random port (and a random operations port) with its own database, queue prefix and Redis prefix; `close` removes all three. */
export async function startTestGateway(overrides: Record<string, string> = {}, label = 'gw', opts: Omit<GatewayOptions, 'port' | 'opsPort'> = {}) {
  const id = testId(label);
  await createDatabase(id);
  const config = testConfig('gateway', id, { ...NO_RATE_LIMITS, ...overrides });
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, { ...opts, port: 0, opsPort: 0 });
  } catch (err) {
    await dropDatabase(id);
    throw err;
  }
  await gateway.deps.broker.waitForConnect();
  const url = `http://127.0.0.1:${gateway.port}`;
  return {
    id,
    config,
    gateway,
    url,
    api: createApiClient(url),
    /** The operations port: /healthz, /readyz, /metrics. */
    ops: createApiClient(`http://127.0.0.1:${gateway.opsPort}`),
    async close() {
      await gateway.shutdown.shutdown();
      await cleanupBroker(id);
      await cleanupRedis(id);
      await dropDatabase(id);
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small fetch wrapper: JSON in, JSON (or problem+json) out. */
export function createApiClient(baseUrl: string) {
  async function call<T = any>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // leave as text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }
  return {
    call,
    async registerAndLogin(
      email = `user-${Math.random().toString(36).slice(2)}@example.com`,
      password = 'correct horse battery',
      headers: Record<string, string> = {},
    ) {
      const reg = await call('POST', '/v1/auth/register', { body: { email, password }, headers });
      if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
      const login = await call('POST', '/v1/auth/login', { body: { email, password }, headers });
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
      return { email, password, userId: reg.body.user.id as string, access: login.body.access_token as string, refresh: login.body.refresh_token as string };
    },
  };
}

/** A pino logger whose every line is kept, to search logs for secrets and assert on warnings. */
export function captureLogs(level = 'debug') {
  const lines: string[] = [];
  const logger = createLogger({ service: 'gateway', level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
