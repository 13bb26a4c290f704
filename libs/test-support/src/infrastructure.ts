import pg from 'pg';
import * as amqplib from 'amqplib';
import { Redis } from 'ioredis';
import { STAGES } from '@pressroom/contracts';
import { BASE_URLS, databaseUrl } from './test-env.ts';

/** Fails loudly (never skips) when a service the tests need does not answer. */
export async function assertInfrastructure(): Promise<void> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: BASE_URLS.postgres, connectionTimeoutMillis: 3000 });
  await client
    .connect()
    .then(() => client.end())
    .catch((e: Error) => problems.push(`PostgreSQL at ${BASE_URLS.postgres}: ${e.message}`));
  const conn = await amqplib.connect(BASE_URLS.rabbitmq).catch((e: Error) => {
    problems.push(`RabbitMQ at ${BASE_URLS.rabbitmq}: ${e.message}`);
    return undefined;
  });
  await conn?.close();
  const redis = new Redis(BASE_URLS.redis, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  await redis
    .connect()
    .then(() => redis.ping())
    .catch((e: Error) => problems.push(`Redis at ${BASE_URLS.redis}: ${e.message}`));
  redis.disconnect();
  if (problems.length > 0) throw new Error(`test infrastructure missing:\n  ${problems.join('\n  ')}`);
}

export async function createDatabase(id: string): Promise<string> {
  const admin = new pg.Client({ connectionString: BASE_URLS.postgres });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "pressroom_${id}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(id);
}

export async function dropDatabase(id: string): Promise<void> {
  const admin = new pg.Client({ connectionString: BASE_URLS.postgres });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "pressroom_${id}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Deletes every queue and exchange a test run declared under its prefix, and its Redis keys. */
export async function cleanupBroker(id: string, maxDelayLevels = 8): Promise<void> {
  const conn = await amqplib.connect(BASE_URLS.rabbitmq);
  const prefix = `${id}.`;
  const queues = [`${prefix}gateway.events`, `${prefix}events.dead`, `${prefix}events.retry`];
  for (const s of STAGES) {
    queues.push(`${prefix}${s}.tasks`, `${prefix}${s}.dead`);
    for (let i = 0; i < maxDelayLevels; i++) queues.push(`${prefix}${s}.delay.${i}`);
  }
  for (const q of queues) {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    await ch.deleteQueue(q).catch(() => undefined);
    await ch.close().catch(() => undefined);
  }
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  for (const ex of ['pressroom.tasks', 'pressroom.events', 'pressroom.dlx']) await ch.deleteExchange(`${prefix}${ex}`).catch(() => undefined);
  await conn.close().catch(() => undefined);
}

/**
 * Deletes a run's Redis keys. A bench run leaves tens of thousands (one per cached search, article and
 * session), too many for one DEL's arguments, so they are scanned and unlinked a page at a time.
 */
export async function cleanupRedis(id: string): Promise<void> {
  const redis = new Redis(BASE_URLS.redis);
  try {
    for await (const keys of redis.scanStream({ match: `test:${id}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
