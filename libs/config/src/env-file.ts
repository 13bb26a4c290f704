import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** Merges a dotenv file under the real environment: a variable already set always wins. */
export function loadEnvFile(path: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!existsSync(path)) return false;
  const parsed = parseEnv(readFileSync(path, 'utf8'));
  for (const [key, value] of Object.entries(parsed)) if (env[key] === undefined) env[key] = value;
  return true;
}
