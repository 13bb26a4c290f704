// Every knob of the suite comes from the environment (`k6 run -e NAME=value` or exported variables).

function str(name: string, fallback: string): string {
  const v = __ENV[name];
  return v === undefined || v === '' ? fallback : v;
}

function num(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

function optional(name: string): string | undefined {
  const v = __ENV[name];
  return v === undefined || v === '' ? undefined : v;
}

export const config = {
  baseUrl: str('BASE_URL', 'http://127.0.0.1:8080').replace(/\/+$/, ''),
  /** An existing account; without it, setup registers `USERS` fresh accounts. */
  userEmail: optional('USER_EMAIL'),
  userPassword: optional('USER_PASSWORD'),
  /** Accounts registered by setup when no USER_EMAIL is given: spreads the per-user quota and rate limit. */
  users: Math.max(1, Math.floor(num('USERS', 5))),
  /** An admin, optional: setup then raises each load user's daily_quota to DAILY_QUOTA. */
  adminEmail: optional('ADMIN_EMAIL'),
  adminPassword: optional('ADMIN_PASSWORD'),
  dailyQuota: num('DAILY_QUOTA', 1_000_000),

  /** HTTP requests per second at the load plateau (POSTs and GETs together). */
  targetRps: num('TARGET_RPS', 50),
  /** GET /v1/requests/{id} calls per POST /v1/requests: the read/write mix. */
  readsPerSubmit: Math.floor(num('READS_PER_SUBMIT', 1)),
  rampUp: str('RAMP_UP', '2m'),
  hold: str('HOLD', '5m'),
  rampDown: str('RAMP_DOWN', '1m'),
  /** Stress: the plateau multipliers of TARGET_RPS, each held STRESS_STEP. */
  stressSteps: str('STRESS_STEPS', '0.5,1,1.5,2,3,4')
    .split(',')
    .map(Number)
    .filter((n) => n > 0),
  stressStep: str('STRESS_STEP', '2m'),
  spikeFactor: num('SPIKE_FACTOR', 5),
  spikeHold: str('SPIKE_HOLD', '1m'),
  soakRps: num('SOAK_RPS', 0),
  soakDuration: str('SOAK_DURATION', '2h'),
  preAllocatedVus: Math.floor(num('PRE_ALLOCATED_VUS', 50)),
  maxVus: Math.floor(num('MAX_VUS', 500)),

  topic: str('TOPIC', 'How do honeybees communicate?'),
  length: str('LENGTH', 'short'),

  /**
   * Rate-limit scenario: the route family (`api`: GET /v1/me, `auth`: POST /v1/auth/login) and the limits staging
   * runs with, by the policy name the gateway announces (`LIMIT_` and the name in capitals, `-` as `_`).
   */
  limitTarget: str('RL_TARGET', 'api'),
  limits: {
    ip: num('LIMIT_IP', 100),
    user: num('LIMIT_USER', 100),
    auth: num('LIMIT_AUTH', 20),
    'user-reads': num('LIMIT_USER_READS', 3600),
    'ip-authenticated': num('LIMIT_IP_AUTHENTICATED', 7200),
  } as Record<string, number>,
  // Enough for the default read budget (`user-reads`, 3600 an hour), which binds on RL_TARGET=api.
  maxLimitRequests: num('MAX_LIMIT_REQUESTS', 4000),

  e2eRequests: Math.floor(num('E2E_REQUESTS', 5)),
  e2eVus: Math.floor(num('E2E_VUS', 1)),
  pollIntervalS: num('POLL_INTERVAL_S', 1),
  pollTimeoutS: num('POLL_TIMEOUT_S', 180),
  e2eP95Ms: num('E2E_P95_MS', 60_000),

  /**
   * Staging's REFRESH_REUSE_GRACE_S (default 10): a spent refresh token presented again within it gets the same
   * successor (two tabs refreshing at once); only after it is the reuse refused and the family revoked.
   */
  refreshReuseGraceS: num('REFRESH_REUSE_GRACE_S', 10),
  /** Smoke: iterations of the mix (one submit and its reads each), one after another. */
  smokeIterations: Math.max(1, Math.floor(num('SMOKE_ITERATIONS', 5))),
  /** Told apart from earlier runs' topics, so a run the same day is not answered from the caches (24 h LLM, 1 h search). */
  runId: str('RUN_ID', Date.now().toString(36)),
  authVus: Math.floor(num('AUTH_VUS', 1)),
  authIterations: Math.floor(num('AUTH_ITERATIONS', 1)),
  password: str('NEW_USER_PASSWORD', 'k6-load-test-password'),
};

/** A k6 duration (`90s`, `2m`, `1h30m`) in milliseconds. */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`"${text}" is not a duration such as 90s, 2m or 1h30m`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]!]!, 0);
}

/** Iterations per minute that give `rps` HTTP requests per second at the configured mix. */
export function iterationsPerMinute(rps: number): number {
  return Math.max(1, Math.round((rps * 60) / (1 + config.readsPerSubmit)));
}
