import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { Config } from '@pressroom/config';
import { closeRedis, createRedis } from '@pressroom/cache';
import { createLogger, type Logger } from '@pressroom/logger';
import { createBroker, delayLevels } from '@pressroom/messaging';
import {
  closeServer,
  createShutdown,
  dependency,
  listen,
  redisAnswers,
  retryPolicyFrom,
  serviceReadiness,
  startOpsServer,
  waitForDependencies,
  type Shutdown,
} from '@pressroom/runtime';
import { createMetrics } from '@pressroom/telemetry';
import type { AddressPolicy } from '@pressroom/resilience';
import { createApp } from './app.ts';
import { createGatewayAlerts, type Alerts } from './alerts/alerts.ts';
import { createAlerterFromConfig } from '@pressroom/alerts';
import { createAccessTokens, createTokenPrecheck, tokenSettingsFrom } from './auth/access-tokens.ts';
import { createSessionChecks } from './auth/session-checks.ts';
import { bootstrapAdmin } from './auth/bootstrap-admin.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import type { GatewayDeps } from './deps.ts';
import { createOutboxRelay } from './outbox/outbox-relay.ts';
import { startEventTracker } from './tracker/event-tracker.ts';
import { registerEventQueueDepth } from './tracker/event-queue-depth.ts';
import { createDeliveryMetrics, registerDeliveryLag } from './webhooks/delivery-metrics.ts';
import { startDeadLetterConsumers } from './dead-letters/dead-letter-consumer.ts';
import { createStartingApp } from './http/starting-app.ts';
import { createOpenStreams } from './streams/open-streams.ts';
import { createGatewayBudgets } from './http/rate-limits.ts';
import { createRefusals } from './http/refusal-routes.ts';
import { createSpentKeys } from './http/counted-budget.ts';
import { createRefusalFastPath } from './http/refusal-fast-path.ts';
import { createRequestChangeBus } from './streams/request-change-bus.ts';
import { createCallbackClient } from './webhooks/callback-client.ts';
import { createDeliveryLoop } from './webhooks/delivery-loop.ts';

export interface RunningGateway {
  deps: GatewayDeps;
  app: Express;
  server: Server;
  port: number;
  /** Where /healthz, /readyz and /metrics answer (GATEWAY_OPS_PORT), never the API port. */
  opsPort: number;
  shutdown: Shutdown;
}

/**
 * The gateway's composition root: migrations (under an advisory lock), the first admin, Redis, the broker,
 * the HTTP app, the outbox relay and the event tracker. Each registers its close; shutdown runs in reverse:
 * stop accepting HTTP, stop consuming, flush the outbox, then close connections.
 */
export interface GatewayOptions {
  logger?: Logger;
  port?: number;
  /** Replaces GATEWAY_OPS_PORT (tests pass 0 for a free port). */
  opsPort?: number;
  onClose?: () => Promise<void>;
  /** Replaces the alerts port (tests record what was raised). */
  alerts?: Alerts;
  /** Aborts the start-up wait (SIGTERM while starting). */
  signal?: AbortSignal;
  /** Tests only: the address rules for callback targets (e.g. loopback allowed, metadata ranges refused). */
  callbackAddressPolicy?: AddressPolicy;
}

/** Slow clients cannot hold connections open forever (slowloris); keep-alive outlives a typical proxy's (60 s). */
export const SERVER_TIMEOUTS = { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 65_000 } as const;

export async function startGateway(config: Config, opts: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const shutdown = createShutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  if (opts.onClose) shutdown.register('telemetry', opts.onClose);
  let server: Server | undefined;
  try {
    const metrics = createMetrics('gateway');
    const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_MAX, logger);
    shutdown.register('postgres', () => db.end());
    // The session check has a connection of its own, so it never queues behind the pool's other statements (a
    // burst of submissions waiting on one user's counter row); one batch is in flight at a time, so one is enough.
    // Every authenticated call waits on that batch, so a connection that hangs must fail it, not hold it (5 s).
    const sessionDb = createPool(config.DATABASE_URL, 1, logger, { queryTimeoutMs: 5000 });
    shutdown.register('postgres (session checks)', () => sessionDb.end());
    const redis = createRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger);
    shutdown.register('redis', () => closeRedis(redis));
    const broker = await createBroker({
      url: config.RABBITMQ_URL,
      prefix: config.AMQP_PREFIX,
      // Enough unacked events in hand for the tracker to batch them.
      prefetch: Math.max(config.AMQP_PREFETCH, 500),
      heartbeatS: config.AMQP_HEARTBEAT_S,
      delaysMs: delayLevels(retryPolicyFrom(config)),
      logger,
      connectionName: `gateway@${process.pid}`,
    });
    shutdown.register('broker', () => broker.close());

    // Listening before the dependencies answer, so /readyz says 503 while start-up waits (up to STARTUP_WAIT_S).
    // The operations endpoints have their own port, as the workers' do: the scraper and the probes reach it,
    // the internet does not, and the API port's limits and middleware never see a probe.
    let started = false;
    const opsServer = await startOpsServer({
      port: opts.opsPort ?? config.GATEWAY_OPS_PORT,
      setting: 'GATEWAY_OPS_PORT',
      registry: metrics.registry,
      ...serviceReadiness({
        isStarted: () => started,
        broker,
        redis,
        logger,
        extra: {
          postgres: async () => {
            await db.query('SELECT 1');
          },
        },
        // Without the broker, submissions wait in the outbox and reads are served; without Redis, the limits fail
        // open. Only PostgreSQL, which every call needs, takes a replica out of rotation.
        survives: ['rabbitmq', 'redis'],
      }),
    });
    shutdown.register('ops server', () => closeServer(opsServer));
    const opsAddress = opsServer.address();
    const opsPort = typeof opsAddress === 'object' && opsAddress ? opsAddress.port : 0;
    // Timeouts are set before listening: node's connection checker reads them from the first connection on.
    let handle: RequestListener = createStartingApp(logger);
    server = Object.assign(
      createServer((req, res) => handle(req, res)),
      SERVER_TIMEOUTS,
    );
    const port = await listen(server, { port: opts.port ?? config.GATEWAY_PORT, host: '0.0.0.0', setting: 'GATEWAY_PORT' });
    await waitForDependencies(
      [
        dependency('postgres', config.DATABASE_URL, () => db.query('SELECT 1')),
        dependency('rabbitmq', config.RABBITMQ_URL, (ms) => broker.waitForConnect(ms)),
        dependency('redis', config.REDIS_URL, redisAnswers(redis)),
      ],
      { waitS: config.STARTUP_WAIT_S, logger, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    await migrate(db, logger);
    const tokens = createAccessTokens(tokenSettingsFrom(config));
    await bootstrapAdmin({ db, config, logger, tokens });

    const alerter = createAlerterFromConfig(config, {
      service: 'gateway',
      redis,
      logger,
      metrics,
      ...(config.ALERT_EMAIL_FROM ? { emailFrom: config.ALERT_EMAIL_FROM } : {}),
    });
    shutdown.register('alerts', () => alerter.close(2000));
    const alerts = opts.alerts ?? createGatewayAlerts(alerter);
    const changes = createRequestChangeBus({ redis, keyPrefix: config.REDIS_KEY_PREFIX, logger });
    shutdown.register('request change bus', () => changes.close());
    const relay = createOutboxRelay({ db, broker, logger, metrics, batchSize: config.OUTBOX_BATCH_SIZE, pollMs: config.OUTBOX_POLL_MS });
    const deliveries = createDeliveryLoop({
      db,
      logger,
      config,
      metrics: createDeliveryMetrics(metrics.registry),
      ...createCallbackClient(config, opts.callbackAddressPolicy),
    });
    const sessions = createSessionChecks(sessionDb);
    const deps: GatewayDeps = {
      config,
      db,
      redis,
      broker,
      logger,
      metrics,
      tokens,
      sessions,
      alerts,
      outbox: relay,
      changes,
      streams: createOpenStreams(),
      deliveries,
    };
    shutdown.register('outbox relay', () => relay.stop());
    shutdown.register('webhook deliveries', () => deliveries.stop());
    await startEventTracker({
      db,
      broker,
      logger,
      metrics,
      alerts,
      slowRequestMs: config.ALERT_REQUEST_LATENCY_MS,
      onRecorded: (ids) => void changes.publish(ids),
    });
    registerEventQueueDepth(metrics, broker);
    registerDeliveryLag(metrics.registry, db);
    await startDeadLetterConsumers({ db, broker, logger, metrics, alerts });
    shutdown.register('event tracker', () => broker.stopConsuming(Math.max(100, config.SHUTDOWN_TIMEOUT_MS / 2)));
    await relay.start();
    deliveries.start();

    const refusals = createRefusals({ precheck: createTokenPrecheck(tokenSettingsFrom(config)), spentUsers: createSpentKeys() });
    const budgets = createGatewayBudgets(deps, refusals.spentUsers);
    const app = createApp(deps, { budgets });
    const refuseEarly = createRefusalFastPath({ budgets, classify: refusals.classify, trustProxyHops: config.TRUST_PROXY_HOPS, metrics, logger });
    // In front of the HTTP instrumentation, which wraps Server.prototype.emit: a refused call never enters it (no
    // server span, no context bound to its request and response), and any other call goes on to it as before.
    const instrumentedEmit = server.emit;
    server.emit = function emitAfterRefusals(this: Server, event: string, ...args: unknown[]) {
      if (event === 'request' && refuseEarly(args[0] as IncomingMessage, args[1] as ServerResponse)) return true;
      return instrumentedEmit.apply(this, [event, ...args] as Parameters<Server['emit']>);
    } as Server['emit'];
    handle = app;
    started = true;
    const listening = server;
    shutdown.register('http server', async () => {
      const closing = closeServer(listening);
      // Streams end only with their request: end them now, or the close would wait out the shutdown deadline.
      const ended = deps.streams.endAll();
      if (ended > 0) logger.info({ streams: ended }, 'ended the open event streams; their clients resume elsewhere with Last-Event-ID');
      await closing;
    });
    logger.info({ port, ops_port: opsPort }, 'gateway listening');
    return { deps, app, server, port, opsPort, shutdown };
  } catch (err) {
    if (server?.listening) await closeServer(server);
    await shutdown.shutdown();
    throw err;
  }
}
