import { resolve } from 'node:path';
import { loadEnvFile } from './env-file.ts';
import { ConfigError, loadConfig } from './load-config.ts';
import type { ServiceName } from './requirements.ts';
import type { Config } from './schema.ts';

/** For `main.ts`: reads `.env` (never over the real environment), validates, and exits naming every bad setting. */
export function loadConfigOrExit(service: ServiceName, envFile = process.env['PRESSROOM_ENV_FILE'] ?? resolve(process.cwd(), '.env')): Config {
  if (process.env['NODE_ENV'] !== 'production') loadEnvFile(envFile);
  try {
    return loadConfig(service);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${service}: refusing to start, ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
