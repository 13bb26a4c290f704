import type { Logger } from '@pressroom/logger';
import { redisVersion, waitForRedis, type Redis } from '@pressroom/cache';
import { IncompatibleDependencyError, StartupError } from './startup-error.ts';

/** Something a service needs before it can take work: a name for people, where it is, and how to ask it. */
export interface StartupDependency {
  name: string;
  /** Shown in logs and the final message, without its password. */
  url: string;
  /** The setting that points at it. */
  setting: string;
  /** What to do when it is not running. */
  howToStart: string;
  /** Resolves when it answers; rejects with the reason it does not, within about `timeoutMs`. */
  check(timeoutMs: number): Promise<unknown>;
}

const KINDS = {
  postgres: { name: 'PostgreSQL', setting: 'DATABASE_URL', howToStart: 'start it (`docker compose up -d postgres` or `sudo systemctl start postgresql`)' },
  redis: { name: 'Redis', setting: 'REDIS_URL', howToStart: 'start it (`docker compose up -d redis` or `sudo systemctl start redis-server`)' },
  rabbitmq: { name: 'RabbitMQ', setting: 'RABBITMQ_URL', howToStart: 'start it (`docker compose up -d rabbitmq` or `sudo systemctl start rabbitmq-server`)' },
} as const;

export function dependency(kind: keyof typeof KINDS, url: string, check: (timeoutMs: number) => Promise<unknown>): StartupDependency {
  return { ...KINDS[kind], url: redactUrl(url), check };
}

/** The URL with its password (and any secret-looking query parameter) removed, safe for a log line. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    for (const key of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(key)) u.searchParams.delete(key);
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 1000;
const MAX_CHECK_MS = 2000;
const LOG_EVERY_MS = 5000;

/**
 * Asks every dependency until all answer, logging what it waits for (first at once, then every few seconds).
 * Past `waitS` it rejects with a `StartupError` naming the dependency, its URL and how to start it; when
 * `signal` aborts (SIGTERM while starting) it rejects at once.
 */
export async function waitForDependencies(deps: StartupDependency[], opts: { waitS: number; logger: Logger; signal?: AbortSignal }): Promise<void> {
  const deadline = Date.now() + opts.waitS * 1000;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(deps.map((d) => waitForOne(d, deadline, opts.waitS, opts.logger, stop.signal)));
  } catch (err) {
    stop.abort();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

async function waitForOne(dep: StartupDependency, deadline: number, waitS: number, logger: Logger, signal: AbortSignal): Promise<void> {
  let retryMs = FIRST_RETRY_MS;
  // Short at first, so a dependency that is not there yet is reported within a second or so; longer later.
  let checkMs = 1000;
  let loggedAt = 0;
  for (;;) {
    if (signal.aborted) throw new StartupError('stopped while starting');
    try {
      await bounded(dep.check, Math.max(100, Math.min(checkMs, deadline - Date.now())));
      if (loggedAt > 0) logger.info({ dependency: dep.name }, `${dep.name} at ${dep.url} answers`);
      return;
    } catch (err) {
      if (err instanceof IncompatibleDependencyError) throw new StartupError(`${dep.name} at ${dep.url} ${err.message}, or set ${dep.setting} to one that is`);
      const reason = (err as Error)?.message || String(err);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new StartupError(
          `${dep.name} at ${dep.url} did not answer within ${waitS} s (${reason}); ${dep.howToStart}, or set ${dep.setting} to where it runs`,
        );
      if (Date.now() - loggedAt >= LOG_EVERY_MS) {
        logger.warn({ dependency: dep.name, url: dep.url, reason, give_up_in_s: Math.ceil(left / 1000) }, `waiting for ${dep.name} at ${dep.url}`);
        loggedAt = Date.now();
      }
      await sleep(Math.min(retryMs, left), signal);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      checkMs = Math.min(checkMs * 2, MAX_CHECK_MS);
    }
  }
}

/** A check that ignores its timeout (a connect that hangs on a black-holed address) still ends in time. */
function bounded(check: (timeoutMs: number) => Promise<unknown>, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 250);
  });
  return Promise.race([check(timeoutMs), late]).finally(() => clearTimeout(timer));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

// EXPIRE/PEXPIRE ... NX (the rate-limit budgets, login throttle, session budgets) came with Redis 7.0; on an older
// server each of those calls fails, and the limiters fail open for good. Asked of the server itself, on a key that
// does not exist (nothing is written), since a compatible server may report another version.
const PROBE_KEY = 'startup-probe:pexpire-nx';

/**
 * A start-up check for an ioredis client that reports the client's last connection error as its reason
 * (ioredis reconnects on its own, seconds apart, so a single short wait may not see one). A server that refuses
 * PEXPIRE … NX (older than Redis 7.0) stops the start at once.
 */
export function redisAnswers(redis: Redis): (timeoutMs: number) => Promise<void> {
  let lastError: Error | undefined;
  const onError = (err: Error) => {
    lastError = err;
  };
  redis.on('error', onError);
  redis.once('ready', () => redis.off('error', onError));
  return async (timeoutMs) => {
    try {
      await waitForRedis(redis, timeoutMs);
    } catch (err) {
      throw lastError ?? err;
    }
    const refused = await redis.pexpire(PROBE_KEY, 1000, 'NX').then(
      () => undefined,
      (err: Error) => err,
    );
    if (refused?.message.startsWith('ERR')) {
      const version = await redisVersion(redis);
      throw new IncompatibleDependencyError(
        `${version ? `is Redis ${version} and ` : ''}refuses PEXPIRE … NX (${refused.message}); Pressroom needs Redis 7.0 or newer: upgrade it`,
      );
    }
    if (refused) throw refused;
  };
}
