import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TaskError, transientError } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';

/** Long enough to cover any retry schedule and a late dead-letter replay; the ioredis keyPrefix is added for us. */
const MARKER_TTL_S = 30 * 24 * 3600;
// How long a task waits for Redis to come back before it tries again.
const REDIS_RETRY_AFTER_MS = 5000;
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
const EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

/**
 * Makes posting idempotent per request (DESIGN: a request is never posted twice). `published:<request_id>`
 * holds the published URL; a task that finds it returns that URL without posting. A short lock,
 * `publishing:<request_id>`, keeps two deliveries of one request (a replica each) from posting side by side.
 *
 * The one repeat that can still reach a target is a crash (or a lost Redis write) between the post and the
 * marker: the retry posts again, with the same `Idempotency-Key: <request_id>`, so the target can drop it.
 *
 * If Redis cannot answer the check, the task is put back instead of posting blind: without the marker we
 * cannot tell a first attempt from a redelivery, and a late publish costs less than a duplicate one.
 *
 * A post that failed in a way the target may still act on (a timeout, a dropped connection, a 5xx: WordPress's
 * PHP goes on creating the post after we stopped waiting) keeps the lock for another `lockMs` instead of
 * releasing it: the retry waits (without spending an attempt) until the target has had the time to finish, so
 * its look-up finds the post rather than racing it and creating a second one.
 */
export function createPublishOnce(deps: { redis: Redis; logger: Logger; lockMs: number }) {
  const { redis, logger, lockMs } = deps;
  return async function publishOnce(requestId: string, post: () => Promise<string>): Promise<{ url: string; replayed: boolean }> {
    const marker = `published:${requestId}`;
    const lock = `publishing:${requestId}`;
    const token = randomUUID();
    let locked: string | null;
    let existing: string | null;
    try {
      locked = await redis.set(lock, token, 'PX', lockMs, 'NX');
      existing = locked ? await redis.get(marker) : null;
    } catch (err) {
      // Redis's outage, not this request's failure: deferred without spending an attempt (within the stage's
      // deferral budget, BREAKER_MAX_DEFERRALS), so a long outage delays publishing instead of dead-lettering it.
      throw transientError('idempotency_unavailable', 'cannot check whether this request was already published (redis unavailable)', {
        cause: err,
        consumeAttempt: false,
        retryAfterMs: REDIS_RETRY_AFTER_MS,
      });
    }
    // Another delivery of this request is posting right now; come back after it, without spending an attempt.
    // The lock outlives one post (its HTTP calls plus a margin), so a crashed holder delays the request by seconds, not minutes.
    if (!locked) {
      const left = await redis.pttl(lock).catch(() => 1000);
      throw transientError('publish_in_progress', 'this request is being published by another delivery', {
        retryAfterMs: Math.max(200, left + 100),
        consumeAttempt: false,
      });
    }
    const release = () => redis.eval(RELEASE, 1, lock, token).catch(() => undefined);
    if (existing) {
      await release();
      return { url: existing, replayed: true };
    }
    let url: string;
    try {
      url = await post();
    } catch (err) {
      if (mayHaveActed(err)) await redis.eval(EXTEND, 1, lock, token, String(lockMs)).catch(() => undefined);
      else await release();
      throw err;
    }
    // The article is out: a failed marker write is logged, never thrown, since throwing would retry the post.
    await redis
      .set(marker, url, 'EX', MARKER_TTL_S)
      .catch((err: unknown) =>
        logger.error({ err, request_id: requestId }, 'published, but the idempotency marker was not saved; a redelivery would post again'),
      );
    await release();
    return { url, replayed: false };
  };
}

/** A transient failure after which the target may have done the work: all but a call refused before it was sent, or refused (429). */
function mayHaveActed(err: unknown): boolean {
  return err instanceof TaskError && err.transient && err.code !== 'breaker_open' && err.code !== 'upstream_rate_limited';
}
