import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '@pressroom/config';

export const BASE_URLS = {
  postgres: process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  rabbitmq: process.env['TEST_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
  redis: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
};

/** A unique id per test file run: the prefix of its queues, Redis keys and database name. */
export function testId(label = 't'): string {
  return `${label.replace(/[^a-z0-9]/g, '').slice(0, 12)}${randomBytes(4).toString('hex')}`;
}

/** Settings for an isolated run: own queue prefix, own Redis key prefix, own database; overrides win. */
export function testEnv(id: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    AMQP_PREFIX: `${id}.`,
    REDIS_KEY_PREFIX: `test:${id}:`,
    RABBITMQ_URL: BASE_URLS.rabbitmq,
    REDIS_URL: BASE_URLS.redis,
    DATABASE_URL: databaseUrl(id),
    JWT_SECRET: randomBytes(48).toString('base64'),
    WEBHOOK_SIGNING_SECRET: randomBytes(48).toString('base64'),
    RETRY_BASE_MS: '50',
    RETRY_FACTOR: '2',
    RETRY_MAX_MS: '400',
    ALLOW_PRIVATE_TARGETS: 'true',
    SHUTDOWN_TIMEOUT_MS: '3000',
    OUTBOX_POLL_MS: '200',
    // Tests poll from one address; the limiter tests set their own limits.
    RATE_LIMIT_IP_PER_HOUR: '100000',
    RATE_LIMIT_USER_PER_HOUR: '100000',
    RATE_LIMIT_AUTH_PER_HOUR: '100000',
    ...overrides,
  };
}

export function testConfig(service: Parameters<typeof loadConfig>[0], id: string, overrides: Record<string, string> = {}): Config {
  return loadConfig(service, testEnv(id, overrides));
}

export function databaseUrl(id: string): string {
  const u = new URL(BASE_URLS.postgres);
  u.pathname = `/pressroom_${id}`;
  return u.toString();
}
