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
