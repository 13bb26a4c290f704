import type { Logger } from '@pressroom/logger';
import type { ReadinessCheck } from './ops-routes.ts';

/**
 * The readiness every service reports: not ready until its start-up has finished, then ready while the broker
 * is connected and Redis answers, plus the service's own checks (the gateway's PostgreSQL). `/readyz` names the
 * failing dependency only; why it failed goes to the log. `survives` names the broker or Redis when the service
 * goes on serving without them (the gateway: submissions wait in its outbox, limits fail open), so their outage
 * shows as `degraded` instead of taking every replica out of its Service at once.
 */
export function serviceReadiness(deps: {
  isStarted: () => boolean;
  broker: { isConnected(): boolean };
  redis: { ping(): Promise<unknown> };
  logger: Logger;
  extra?: Record<string, ReadinessCheck>;
  survives?: ReadonlyArray<'rabbitmq' | 'redis'>;
}): { checks: Record<string, ReadinessCheck>; onCheckFailed: (name: string, err: unknown) => void; degraded: readonly string[] } {
  return {
    degraded: deps.survives ?? [],
    checks: {
      startup: () => {
        if (!deps.isStarted()) throw new Error('starting');
      },
      ...deps.extra,
      rabbitmq: () => {
        if (!deps.broker.isConnected()) throw new Error('not connected');
      },
      redis: async () => {
        await deps.redis.ping();
      },
    },
    onCheckFailed: (name, err) => {
      if (name !== 'startup') deps.logger.warn({ err, dependency: name }, 'readiness check failed');
    },
  };
}
