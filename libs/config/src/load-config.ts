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
  problems.push(...parseJsonSettings(raw));
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
    for (const e of result.errors)
      problems.push(`${e.field} ${e.message}${e.field in raw && !isSecret(e.field) ? ` (got "${env[e.field] ?? String(raw[e.field])}")` : ''}`);
  }
  const config = raw as Config;
  problems.push(...serviceRequirements(service, config));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/**
 * Settings whose schema is an object (LLM_PRICES) arrive as JSON text; they are parsed here so that the schema
 * then checks their shape like any other value, naming the bad entry (`LLM_PRICES.gpt-4o.input must be >= 0`).
 */
function parseJsonSettings(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const value = raw[key];
    if ((schema as { type?: string }).type !== 'object' || typeof value !== 'string') continue;
    try {
      raw[key] = JSON.parse(value);
    } catch (err) {
      problems.push(`${key} must be JSON (${(err as Error).message})`);
      delete raw[key];
    }
  }
  return problems;
}

function isSecret(name: string): boolean {
  return (SECRET_SETTINGS as readonly string[]).includes(name) || /KEY|SECRET|PASSWORD/.test(name);
}
