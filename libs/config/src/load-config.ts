import { readFileSync } from 'node:fs';
import { createValidator } from '@pressroom/contracts';
import { ConfigSchema, SECRET_SETTINGS, type Config } from './schema.ts';
import { serviceRequirements, type ServiceName } from './requirements.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const validator = createValidator({ coerceTypes: true, useDefaults: true });

/** Parses the environment once, reporting every bad setting by name instead of the first one. */
export function loadConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const key of SECRET_SETTINGS) {
    const file = env[`${key}_FILE`];
    if (!file) continue;
    if (raw[key] !== undefined) {
      problems.push(`${key} and ${key}_FILE are both set; set only one`);
      continue;
    }
    try {
      raw[key] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(`${key}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const result = validator.check(ConfigSchema, raw);
  if (!result.ok) {
    for (const e of result.errors) problems.push(`${e.field} ${e.message}${e.field in raw && !isSecret(e.field) ? ` (got "${String(raw[e.field])}")` : ''}`);
  }
  const config = raw as Config;
  problems.push(...serviceRequirements(service, config));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

function isSecret(name: string): boolean {
  return (SECRET_SETTINGS as readonly string[]).includes(name) || /KEY|SECRET|PASSWORD/.test(name);
}
