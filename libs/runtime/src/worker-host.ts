import type { Server } from 'node:http';
import type { Config } from '@pressroom/config';
import type { Stage } from '@pressroom/contracts';
import { createCancelWatch, createDedupeStore, createRedis, closeRedis, type Redis } from '@pressroom/cache';
import { createLogger, type Logger } from '@pressroom/logger';
import { consumeStage, createBroker, delayLevels, type Broker, type RetryPolicy, type StageHandler } from '@pressroom/messaging';
import { createBreakers, type Breakers } from '@pressroom/resilience';
import { createMetrics, type Metrics } from '@pressroom/telemetry';
import { createAlerterFromConfig, type Alerter } from '@pressroom/alerts';
import { stageAlerts, type StageAlerting } from './stage-alerts.ts';
import { closeServer, startOpsServer } from './ops-server.ts';
import { createShutdown, type Shutdown } from './shutdown.ts';
import { registerQueueDepth } from './queue-depth.ts';
import { serviceReadiness } from './readiness.ts';
import { dependency, redisAnswers, waitForDependencies } from './startup-wait.ts';

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
 * The composition root shared by the three stateless workers: Redis, the broker and the operations server
 * first (so `/readyz` answers 503 while start-up waits for RabbitMQ and Redis, up to `STARTUP_WAIT_S`), then
 * breakers, alerts and the stage consumer. Each registers its close, so one shutdown drains in-flight tasks,
 * then closes in reverse; a failed or aborted start closes what it had opened.
 */
export async function runWorker<S extends Stage>(opts: {
  service: string;
  stage: S;
  config: Config;
  port: number;
  /** The setting behind `port`, named when the port is taken; `<SERVICE>_PORT` by default. */
  portSetting?: string;
  createHandler: (deps: WorkerDeps) => StageHandler<S> | Promise<StageHandler<S>>;
  /** How the stage's alerts name its provider; the stage's name when unset. */
  alerting?: StageAlerting;
  logger?: Logger;
  onClose?: () => Promise<void> | void;
  /** Aborts the start-up wait (SIGTERM while starting). */
  signal?: AbortSignal;
}): Promise<RunningWorker> {
  const { config, service, stage } = opts;
  const logger = opts.logger ?? createLogger({ service, level: config.LOG_LEVEL });
  const metrics = createMetrics(service);
  const shutdown = createShutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  if (opts.onClose) shutdown.register(`${service} resources`, opts.onClose);
  let server: Server | undefined;
  let started = false;
  try {
    const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger);
    shutdown.register('redis', () => closeRedis(redis));
    const retry = retryPolicyFrom(config);
    // Connects in the background; it declares the topology before any consumer starts.
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
    server = await startOpsServer({
      port: opts.port,
      setting: opts.portSetting ?? `${service.toUpperCase()}_PORT`,
      registry: metrics.registry,
      ...serviceReadiness({ isStarted: () => started, broker, redis, logger }),
    });
    await waitForDependencies(
      [dependency('rabbitmq', config.RABBITMQ_URL, (ms) => broker.waitForConnect(ms)), dependency('redis', config.REDIS_URL, redisAnswers(redis))],
      {
        waitS: config.STARTUP_WAIT_S,
        logger,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
    );

    const alerts = createAlerterFromConfig(config, {
      service,
      redis,
      logger,
      metrics,
      ...(config.ALERT_EMAIL_FROM ? { emailFrom: config.ALERT_EMAIL_FROM } : {}),
    });
    shutdown.register('alerts', () => alerts.close(2000));
    const observe = stageAlerts({ alerts, service, stage, stageLatencyMs: config.ALERT_STAGE_LATENCY_MS, alerting: opts.alerting });
    const breakers = createBreakers({
      service,
      logger,
      metrics,
      redis,
      settings: { resetTimeoutMs: config.BREAKER_RESET_MS, errorThresholdPercentage: config.BREAKER_ERROR_PERCENT, volumeThreshold: config.BREAKER_VOLUME },
      onStateChange: observe.breakerChanged,
    });
    shutdown.register('breakers', () => breakers.close());
    registerQueueDepth(metrics, broker, stage, delayLevels(retry).length);
    const handle = await opts.createHandler({ config, logger, metrics, redis, breakers, alerts });
    const cancels = createCancelWatch(redis, config.REDIS_KEY_PREFIX, logger);
    shutdown.register('cancel notices', () => cancels.close());
    await consumeStage({
      broker,
      stage,
      handle,
      retry,
      logger,
      metrics,
      dedupe: createDedupeStore(redis, stage),
      cancels,
      maxDeferrals: config.BREAKER_MAX_DEFERRALS,
      startedEventDelayMs: config.STARTED_EVENT_DELAY_MS,
      onDeadLetter: observe.deadLettered,
      onCompleted: observe.completed,
      onFailed: observe.failed,
    });
    // Registered last so it runs first: stop taking tasks and let in-flight ones finish before anything closes.
    shutdown.register('consumer', () => broker.stopConsuming(Math.max(100, config.SHUTDOWN_TIMEOUT_MS - 2000)));
    const opsServer = server;
    shutdown.register('ops server', () => closeServer(opsServer));
    started = true;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    logger.info({ port, stage }, `${service} worker started`);
    return { broker, shutdown, logger, metrics, port };
  } catch (err) {
    if (server) await closeServer(server);
    await shutdown.shutdown();
    throw err;
  }
}
