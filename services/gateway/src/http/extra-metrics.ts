import { Counter, type Registry } from 'prom-client';

/**
 * Gateway-only counters registered on the shared per-service registry. Looked up before created, so building
 * the app twice on one registry (as tests do) does not register a name twice.
 */
export function gatewayCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Every Redis-backed budget that passed a call without counting it (Redis did not answer), by limiter. */
export const rateLimitStoreErrors = (registry: Registry) =>
  gatewayCounter(registry, 'pressroom_rate_limit_store_errors_total', 'Rate-limit checks passed without counting because Redis did not answer', [
    'limiter',
  ] as const);
