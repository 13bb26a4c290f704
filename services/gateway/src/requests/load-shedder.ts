import { AppError } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import { inBackground, type Metrics } from '@pressroom/telemetry';
import type { DbClient } from '../db/pool.ts';
import { oldestWaitingTaskAgeS } from './request-repository.ts';

/**
 * Load shedding: while the oldest task waiting in a stage queue has waited longer than SHED_TASK_AGE_S, a new
 * submission gets 503 `unavailable` with Retry-After instead of lengthening the backlog. Reads are never shed.
 *
 * The age comes from the gateway's own request state, not from the broker: AMQP tells a queue's length but not
 * the age of its head, and the management API would be one more dependency on the submit path. The tracker
 * already records when each stage completes and when the next one starts, so the oldest waiting task is one
 * query over the requests in flight (see oldestWaitingTaskAgeS). It runs at most once a second per replica, in
 * the background: a submit reads the cached figure and waits for a fresh one only after an idle spell.
 * Left out on purpose: a task sitting in a retry delay queue (it is not in its work queue yet), and requests
 * older than the horizon, so that a request stranded by hand (its queue purged) cannot shed submissions forever.
 */
export function createLoadShedder(deps: { db: DbClient; logger: Logger; metrics?: Pick<Metrics, 'rateLimited'>; maxTaskAgeS: number; refreshMs?: number }) {
  const refreshMs = deps.refreshMs ?? 1000;
  const staleMs = 5 * refreshMs;
  const horizonS = Math.max(3600, 10 * deps.maxTaskAgeS);
  // The backlog has to drain below the threshold first; a quarter of it, within [5 s, 60 s], is a fair wait.
  const retryAfterS = String(Math.min(60, Math.max(5, Math.ceil(deps.maxTaskAgeS / 4))));
  let ageS = 0;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  let shedding = false;

  async function read(): Promise<void> {
    try {
      ageS = await oldestWaitingTaskAgeS(deps.db, horizonS);
    } catch (err) {
      // Fail open: with the database away a submit fails on its own, and a stale figure must not shed.
      deps.logger.warn({ err }, 'could not read the age of the oldest waiting task; not shedding');
      ageS = 0;
    }
    readAt = Date.now();
    if (ageS > deps.maxTaskAgeS !== shedding) {
      shedding = !shedding;
      if (shedding) deps.logger.warn({ oldest_task_age_s: Math.round(ageS), threshold_s: deps.maxTaskAgeS }, 'pipeline behind: shedding new submissions');
      else deps.logger.info({ oldest_task_age_s: Math.round(ageS) }, 'pipeline caught up: accepting submissions again');
    }
  }

  return {
    /** Throws 503 `unavailable` while the pipeline is behind. */
    async check(): Promise<void> {
      const sinceRead = Date.now() - readAt;
      // The read serves every submit of the replica, not the one that happened to start it: its lines and its
      // query's span belong to no request.
      if (sinceRead >= refreshMs) reading ??= inBackground(read).finally(() => (reading = undefined));
      if (sinceRead >= staleMs) await reading;
      if (ageS <= deps.maxTaskAgeS) return;
      deps.metrics?.rateLimited.inc({ limiter: 'load_shed' });
      throw new AppError('unavailable', `the pipeline is behind (its oldest waiting task has waited ${Math.round(ageS)} s); retry later`, {
        headers: { 'Retry-After': retryAfterS },
      });
    },
  };
}

export type LoadShedder = ReturnType<typeof createLoadShedder>;
