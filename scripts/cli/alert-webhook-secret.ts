// `pressroom alert-webhook-secret`: what an operator gives the receiver at ALERT_WEBHOOK_URL. It reads the same
// settings the services read (environment over .env, *_FILE included), so it prints the key they sign with.
import { alertWebhookSecret } from '@pressroom/alerts';
import { ConfigError, loadConfig, type Config } from '@pressroom/config';
import type { Io } from './commands.ts';

/** The secret alone on stdout (for `$(…)` or a file), where it came from on stderr. Exit 1 when there is none. */
export function printAlertWebhookSecret(env: NodeJS.ProcessEnv, io: Io): number {
  let config: Config;
  try {
    config = loadConfig('cli', env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`pressroom: ${err.message}\n`);
    return 1;
  }
  const signing = alertWebhookSecret(config);
  if (!signing) {
    io.err('pressroom: neither ALERT_WEBHOOK_SECRET nor WEBHOOK_SIGNING_SECRET is set, so alerts to ALERT_WEBHOOK_URL cannot be signed\n');
    return 1;
  }
  io.out(`${signing.secret}\n`);
  io.err(`(${signing.source}; verify alert deliveries with it as a Standard Webhooks secret)\n`);
  return 0;
}
