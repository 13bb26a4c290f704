import type { Config } from '@pressroom/config';
import type { Stage } from '@pressroom/contracts';
import { createDedupeStore, createRedis, closeRedis, waitForRedis, type Redis } from '@pressroom/cache';
import { createLogger, type Logger } from '@pressroom/logger';
import { consumeStage, createBroker, delayLevels, type Broker, type RetryPolicy, type StageHandler } from '@pressroom/messaging';
import { createBreakers, type Breakers } from '@pressroom/resilience';
import { createMetrics, type Metrics } from '@pressroom/telemetry';
import { createAlerterFromConfig, type Alerter } from '@pressroom/alerts';
import { stageAlerts } from './stage-alerts.ts';
import { closeServer, startOpsServer } from './ops-server.ts';
import { createShutdown, type Shutdown } from './shutdown.ts';
import { registerQueueDepth } from './queue-depth.ts';

export interface WorkerDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  breakers: Breakers;
  alerts: Alerter;
}

export function retryPolicyFrom(config: Config): RetryPolicy {
  return { baseMs: config.RETRY_BASE_MS, factor: config.RETRY_FACTOR, maxMs: config.RETRY_MAX_MS, maxAttempts: config.RETRY_MAX_ATTEMPTS };
}

export interface RunningWorker {
  broker: Broker;
  shutdown: Shutdown;
  logger: Logger;
  metrics: Metrics;
  port: number;
}

/**
 * The composition root shared by the three stateless workers: Redis, breakers, broker, the stage consumer and
 * the operations server, each registering its close so one shutdown drains in-flight tasks, then closes in reverse.
 */
export async function runWorker<S extends Stage>(opts: {
  service: string;
  stage: S;
  config: Config;
  port: number;
  createHandler: (deps: WorkerDeps) => StageHandler<S> | Promise<StageHandler<S>>;
  logger?: Logger;
  onClose?: () => Promise<void> | void;
}): Promise<RunningWorker> {
  const { config, service, stage } = opts;
  const logger = opts.logger ?? createLogger({ service, level: config.LOG_LEVEL });
  const metrics = createMetrics(service);
  const shutdown = createShutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger);
  shutdown.register('redis', () => closeRedis(redis));
  await waitForRedis(redis).catch((err: unknown) => logger.warn({ err }, 'starting without redis; caches and de-duplication degrade until it answers'));
  const alerts = createAlerterFromConfig(config, { service, redis, logger, metrics, ...(config.ALERT_EMAIL_FROM ? { emailFrom: config.ALERT_EMAIL_FROM } : {}) });
  shutdown.register('alerts', () => alerts.close(2000));
  const observe = stageAlerts({ alerts, service, stage, stageLatencyMs: config.ALERT_STAGE_LATENCY_MS });
  const breakers = createBreakers({
    service,
    logger,
    metrics,
    redis,
    settings: { resetTimeoutMs: config.BREAKER_RESET_MS, errorThresholdPercentage: config.BREAKER_ERROR_PERCENT, volumeThreshold: config.BREAKER_VOLUME },
    onStateChange: observe.breakerChanged,
  });
  shutdown.register('breakers', () => breakers.close());
  if (opts.onClose) shutdown.register(`${service} resources`, opts.onClose);

  const retry = retryPolicyFrom(config);
  const broker = await createBroker({
    url: config.RABBITMQ_URL,
    prefix: config.AMQP_PREFIX,
    prefetch: config.AMQP_PREFETCH,
    heartbeatS: config.AMQP_HEARTBEAT_S,
    delaysMs: delayLevels(retry),
    logger,
    connectionName: `${service}@${process.pid}`,
  });
  shutdown.register('broker', () => broker.close());
  registerQueueDepth(metrics, broker, stage, delayLevels(retry).length);
  const handle = await opts.createHandler({ config, logger, metrics, redis, breakers, alerts });
  await consumeStage({
    broker,
    stage,
    handle,
    retry,
    logger,
    metrics,
    dedupe: createDedupeStore(redis, stage),
    maxDeferrals: config.BREAKER_MAX_DEFERRALS,
    startedEventDelayMs: config.STARTED_EVENT_DELAY_MS,
    onDeadLetter: observe.deadLettered,
    onCompleted: observe.completed,
    onFailed: observe.failed,
  });
  // Registered last so it runs first: stop taking tasks and let in-flight ones finish before anything closes.
  shutdown.register('consumer', () => broker.stopConsuming(Math.max(100, config.SHUTDOWN_TIMEOUT_MS - 2000)));

  const server = await startOpsServer({
    port: opts.port,
    registry: metrics.registry,
    checks: {
      rabbitmq: () => {
        if (!broker.isConnected()) throw new Error('not connected');
      },
      redis: async () => {
        await redis.ping();
      },
    },
  });
  shutdown.register('ops server', () => closeServer(server));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  logger.info({ port, stage }, `${service} worker started`);
  return { broker, shutdown, logger, metrics, port };
}
