import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Config } from './schema.ts';

export type ServiceName = 'gateway' | 'research' | 'llm' | 'publisher' | 'cli';

/** Values that ship in docs and examples; a service that sees one refuses to start. */
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?(with|me)|placeholder|your[-_ ]|example|^secret$|^password$|^x+$/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

function strongSecret(name: string, value: string | undefined): string[] {
  if (!value) return [`${name} is required (or ${name}_FILE)`];
  if (isPlaceholder(value)) return [`${name} is a placeholder value; generate one, e.g. \`openssl rand -base64 48\``];
  if (Buffer.byteLength(value, 'utf8') < 32) return [`${name} must be at least 32 bytes (got ${Buffer.byteLength(value, 'utf8')})`];
  return [];
}

/** A `whsec_<base64>` secret whose key has the 24 to 64 bytes the Standard Webhooks specification asks for. */
function standardWebhookSecret(name: string, value: string): string[] {
  if (!value.startsWith('whsec_')) return []; // the schema's pattern already names it
  const bytes = Buffer.from(value.replace(/^whsec_/, ''), 'base64').length;
  if (bytes < 24 || bytes > 64)
    return [`${name} must be whsec_ and the base64 of 24 to 64 random bytes (got ${bytes}); generate one with \`echo whsec_$(openssl rand -base64 32)\``];
  return [];
}

/** RS256 signs with a private key and verifies with its public key, both PEM (normally via *_FILE). */
function keyPair(config: Config): string[] {
  const problems = needs(config, ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY'], `when JWT_ALGORITHM=${config.JWT_ALGORITHM} (or *_FILE)`);
  for (const name of ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY'] as const) {
    const value = config[name];
    if (!value) continue;
    try {
      const key = name === 'JWT_PRIVATE_KEY' ? createPrivateKey(value) : createPublicKey(value);
      if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
        problems.push(`${name} must be an RSA key of at least 2048 bits`);
    } catch {
      problems.push(`${name} is not a PEM ${name === 'JWT_PRIVATE_KEY' ? 'private' : 'public'} key`);
    }
  }
  return problems;
}

/** An explicit allowlist of origins; `*` is refused so that opening the API to every site is never a default. */
function corsOrigins(value: string): string[] {
  const problems: string[] = [];
  for (const origin of value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)) {
    let ok: boolean;
    try {
      const u = new URL(origin);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === origin && !origin.includes('*');
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`CORS_ORIGINS entry "${origin}" is not an origin like https://app.example.com (no path, no wildcard)`);
  }
  return problems;
}

function needs(config: Config, names: (keyof Config)[], why: string): string[] {
  return names.filter((n) => !config[n]).map((n) => `${n} is required ${why}`);
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Settings that are fine on a laptop or in a test and unsafe in production, where they stop the service:
 * the private-address allowance for user and web targets (tests only), RabbitMQ's default guest account
 * reached over the network, and a CORS origin open to every site (see corsOrigins, refused everywhere).
 */
function productionRefusals(config: Config): string[] {
  const problems: string[] = [];
  if (config.ALLOW_PRIVATE_TARGETS)
    problems.push('ALLOW_PRIVATE_TARGETS=true lets user and web targets reach private addresses; it exists for tests and is refused when NODE_ENV=production');
  let broker: URL | undefined;
  try {
    broker = new URL(config.RABBITMQ_URL);
  } catch {
    broker = undefined;
  }
  if (broker && decodeURIComponent(broker.username) === 'guest' && decodeURIComponent(broker.password) === 'guest' && !LOOPBACK_HOSTS.test(broker.hostname))
    problems.push(
      `RABBITMQ_URL uses the default guest/guest credentials on a non-loopback host (${broker.hostname}); give the services a RabbitMQ user of their own when NODE_ENV=production`,
    );
  return problems;
}

/** Cross-field rules that a JSON schema cannot say clearly. */
export function serviceRequirements(service: ServiceName, config: Config): string[] {
  const problems: string[] = [];
  if (service === 'gateway') {
    if (config.JWT_ALGORITHM === 'HS256') problems.push(...strongSecret('JWT_SECRET', config.JWT_SECRET));
    else problems.push(...keyPair(config));
    problems.push(...corsOrigins(config.CORS_ORIGINS));
    // Optional for the gateway (webhook endpoints answer 503 without it), but never weak when set.
    if (config.WEBHOOK_SIGNING_SECRET !== undefined) problems.push(...strongSecret('WEBHOOK_SIGNING_SECRET', config.WEBHOOK_SIGNING_SECRET));
    if (config.DEFAULT_CHANNEL === 'webhook') problems.push(...needs(config, ['DEFAULT_WEBHOOK_URL'], 'when DEFAULT_CHANNEL=webhook'));
    if (Boolean(config.BOOTSTRAP_ADMIN_EMAIL) !== Boolean(config.BOOTSTRAP_ADMIN_PASSWORD))
      problems.push('BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together');
    if (config.BOOTSTRAP_ADMIN_PASSWORD && isPlaceholder(config.BOOTSTRAP_ADMIN_PASSWORD)) problems.push('BOOTSTRAP_ADMIN_PASSWORD is a placeholder value');
  }
  if (service === 'research') {
    const p = config.SEARCH_PROVIDER;
    if (p === 'google') problems.push(...needs(config, ['GOOGLE_API_KEY', 'GOOGLE_CSE_ID'], 'when SEARCH_PROVIDER=google'));
    if (p === 'serper') problems.push(...needs(config, ['SERPER_API_KEY'], 'when SEARCH_PROVIDER=serper'));
    if (p === 'brave') problems.push(...needs(config, ['BRAVE_API_KEY'], 'when SEARCH_PROVIDER=brave'));
    if (p === 'searxng') problems.push(...needs(config, ['SEARXNG_URL'], 'when SEARCH_PROVIDER=searxng'));
  }
  if (service === 'llm' && config.LLM_PROVIDER === 'openai' && config.LLM_API_KEY && isPlaceholder(config.LLM_API_KEY))
    problems.push('LLM_API_KEY is a placeholder value');
  if (service === 'publisher') {
    problems.push(...strongSecret('WEBHOOK_SIGNING_SECRET', config.WEBHOOK_SIGNING_SECRET));
    const wp = [config.WORDPRESS_URL, config.WORDPRESS_USER, config.WORDPRESS_APP_PASSWORD].filter(Boolean).length;
    if (wp > 0 && wp < 3) problems.push('WORDPRESS_URL, WORDPRESS_USER and WORDPRESS_APP_PASSWORD must be set together');
  }
  if (config.ALERT_WEBHOOK_SECRET !== undefined) problems.push(...standardWebhookSecret('ALERT_WEBHOOK_SECRET', config.ALERT_WEBHOOK_SECRET));
  if (config.NODE_ENV === 'production') problems.push(...productionRefusals(config));
  if (config.RETRY_MAX_MS < config.RETRY_BASE_MS) problems.push('RETRY_MAX_MS must be at least RETRY_BASE_MS');
  return problems;
}
