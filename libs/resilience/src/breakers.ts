import CircuitBreaker from 'opossum';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { TaskError, transientError } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import { inBackground, type Metrics } from '@pressroom/telemetry';

export interface BreakerSettings {
  resetTimeoutMs: number;
  errorThresholdPercentage: number;
  volumeThreshold: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { resetTimeoutMs: 30_000, errorThresholdPercentage: 50, volumeThreshold: 5 };

type State = 'closed' | 'open' | 'half_open';
/**
 * What a breaker guards, said by the caller that names it: a `provider` the operator configured (a search API,
 * the LLM, WordPress), whose outage stops a whole stage, or one `target` among many that users or the web
 * chose (a page's host, a user's webhook receiver), whose outage stops only the calls to it.
 */
export type BreakerScope = 'provider' | 'target';
const IDLE_MS = 10 * 60_000;
const GAUGE: Record<State, number> = { closed: 0, half_open: 0.5, open: 1 };

/**
 * Circuit breakers by name (one per external dependency, per host for page fetches, per receiver for webhooks).
 * Only transient failures count against a breaker: a 404 says nothing about the dependency's health.
 * While open, calls fail with a `breaker_open` error that delays the task without spending an attempt.
 */
export function createBreakers(deps: {
  service: string;
  logger: Logger;
  metrics: Metrics;
  redis?: Redis;
  settings?: BreakerSettings;
  onStateChange?: (name: string, state: 'closed' | 'open' | 'half_open', scope: BreakerScope) => void;
}) {
  const settings = deps.settings ?? DEFAULT_BREAKER;
  const breakers = new Map<string, { breaker: CircuitBreaker<[() => Promise<unknown>], unknown>; state: State; since: string; lastUsed: number }>();
  const instance = `${hostname()}:${process.pid}`;

  function entry(name: string, scope: BreakerScope) {
    const e = breakers.get(name);
    if (e) return e;
    const breaker = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
      timeout: false,
      resetTimeout: settings.resetTimeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      errorFilter: (err: unknown) => err instanceof TaskError && !err.transient,
    });
    const created = { breaker, state: 'closed' as State, since: new Date().toISOString(), lastUsed: Date.now() };
    const move = (state: State) => {
      created.state = state;
      created.since = new Date().toISOString();
      exportState(name, scope, state);
      const level = state === 'open' ? 'warn' : 'info';
      deps.logger[level]({ breaker: name, state }, `circuit breaker ${name} is ${state}`);
      void report(name, created);
      deps.onStateChange?.(name, state, scope);
    };
    breaker.on('open', () => move('open'));
    // opossum arms its reset timer inside the 'open' emit, so half-open would otherwise be logged (and reported)
    // as part of the call that tripped the breaker. 'close' needs none of this: a call's success emits it.
    breaker.on('halfOpen', () => inBackground(() => move('half_open')));
    breaker.on('close', () => move('closed'));
    exportState(name, scope, 'closed');
    breakers.set(name, created);
    return created;
  }

  /**
   * A provider's breaker is a series from its first call on. A target's (a page host, a webhook receiver) is one
   * only while it is not closed: the web has more hosts than a time series database wants label values, and a
   * closed target breaker says nothing an absent series does not.
   */
  function exportState(name: string, scope: BreakerScope, state: State): void {
    if (scope === 'target' && state === 'closed') deps.metrics.breakerState.remove({ breaker: name });
    else deps.metrics.breakerState.set({ breaker: name }, GAUGE[state]);
  }

  async function report(name: string, e: { state: State; since: string }): Promise<void> {
    if (!deps.redis) return;
    const key = `breakers:${deps.service}:${instance}:${name}`;
    const value = JSON.stringify({ service: deps.service, instance, name, state: e.state, since: e.since });
    await deps.redis.set(key, value, 'EX', 60).catch(() => undefined);
  }

  // Per-target breakers (page hosts, webhook receivers) would otherwise accumulate for every host ever called:
  // a closed breaker idle for 10 minutes is dropped with its metric series.
  const heartbeat = setInterval(() => {
    for (const [name, e] of breakers) {
      if (e.state === 'closed' && Date.now() - e.lastUsed > IDLE_MS) {
        e.breaker.shutdown();
        breakers.delete(name);
        deps.metrics.breakerState.remove({ breaker: name });
        void deps.redis?.del(`breakers:${deps.service}:${instance}:${name}`).catch(() => undefined);
      } else void report(name, e);
    }
  }, 20_000);
  heartbeat.unref();

  return {
    /** `scope` is fixed by the breaker's first call (default `provider`). */
    async call<T>(name: string, fn: () => Promise<T>, opts: { scope?: BreakerScope } = {}): Promise<T> {
      const e = entry(name, opts.scope ?? 'provider');
      e.lastUsed = Date.now();
      const { breaker } = e;
      try {
        return (await breaker.fire(fn)) as T;
      } catch (err) {
        if ((err as { code?: string }).code === 'EOPENBREAKER')
          throw transientError('breaker_open', `circuit breaker ${name} is open`, { consumeAttempt: false, retryAfterMs: settings.resetTimeoutMs / 2 });
        throw err;
      }
    },
    close(): void {
      clearInterval(heartbeat);
      for (const { breaker } of breakers.values()) breaker.shutdown();
    },
  };
}

export type Breakers = ReturnType<typeof createBreakers>;
