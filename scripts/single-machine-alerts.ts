// The services' own latency alerts for `pnpm start`: one machine, no Prometheus to evaluate the latency rules,
// so the services watch latency themselves. Unset, these settings are off, which is what compose and Kubernetes
// run with (their Prometheus rules own latency): docs/operations.md#who-sends-which-alert.
export const SINGLE_MACHINE_LATENCY_ALERTS = {
  ALERT_STAGE_LATENCY_MS: '120000',
  ALERT_REQUEST_LATENCY_MS: '300000',
  ALERT_HTTP_LATENCY_MS: '2000',
} as const;

/** The services' environment: these thresholds unless the shell or `envFile`'s values (already in `env`) set them. */
export function withLatencyAlerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [key, value] of Object.entries(SINGLE_MACHINE_LATENCY_ALERTS)) if (out[key] === undefined || out[key] === '') out[key] = value;
  return out;
}
