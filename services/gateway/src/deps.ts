import type { Config } from '@pressroom/config';
import type { Redis } from '@pressroom/cache';
import type { Logger } from '@pressroom/logger';
import type { Broker } from '@pressroom/messaging';
import type { Metrics } from '@pressroom/telemetry';
import type { AddressPolicy } from '@pressroom/resilience';
import type { Alerts } from './alerts/alerts.ts';
import type { AccessTokens } from './auth/access-tokens.ts';
import type { SessionChecks } from './auth/session-checks.ts';
import type { Db } from './db/pool.ts';
import type { OpenStreams } from './streams/open-streams.ts';
import type { RequestChangeBus } from './streams/request-change-bus.ts';

/** Everything the gateway's use cases and routes need, built once in `gateway.ts` and passed down. */
export interface GatewayDeps {
  config: Config;
  db: Db;
  redis: Redis;
  broker: Broker;
  logger: Logger;
  metrics: Metrics;
  tokens: AccessTokens;
  /** The per-request session check (PostgreSQL, every call; concurrent calls share a statement). */
  sessions: SessionChecks;
  alerts: Alerts;
  /** Wakes this replica's outbox relay after a commit that added rows. */
  outbox: { wake(): Promise<void> };
  /** "Request changed" notices between replicas (after the tracker commits), which SSE streams follow. */
  changes: RequestChangeBus;
  /** The SSE streams this replica serves, which shutdown ends (clients resume elsewhere with Last-Event-ID). */
  streams: OpenStreams;
  /** Wakes this replica's webhook delivery loop (a test event was queued); `targetPolicy` is its address rule. */
  deliveries: { wake(): void; targetPolicy: AddressPolicy };
}
