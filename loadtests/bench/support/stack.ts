import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupBroker, cleanupRedis, createDatabase, dropDatabase, testEnv, testId } from '@pressroom/test-support';
import { unlimitedSettings } from './api-client.ts';
import { deleteRunObjects } from './broker-admin.ts';
import { freePort, startService, type Child, type ServiceName } from './child-process.ts';
import { log } from './stats.ts';

const live = new Set<() => Promise<void>>();

/** Stops every stack still running (Ctrl-C): the shared servers keep no database, queue or key of the run. */
export async function stopAllStacks(): Promise<void> {
  await Promise.all([...live].map((stop) => stop().catch(() => undefined)));
}

export interface Stack {
  id: string;
  /** The run's PostgreSQL database. */
  database: string;
  prefix: string;
  publishDir: string;
  gatewayUrl: string;
  services: Child[];
  service(name: ServiceName): Child;
  stop(): Promise<void>;
}

/**
 * Some of the four services as separate processes (their own event loops and CPU, as in production) with the
 * embedded providers (local BM25 search, the extractive writer, the file channel into a temp folder),
 * isolated under their own database, queue prefix and Redis prefix, all of which `stop` removes. Tracing
 * stays at its default (every trace, no exporter) unless `settings` says otherwise; `nodeArgs(name)` go to
 * that service's node (a profiler).
 */
export async function startStack(
  label: string,
  opts: { services: ServiceName[]; settings?: Record<string, string>; nodeArgs?: (name: ServiceName) => string[] },
): Promise<Stack> {
  const id = testId(label);
  await createDatabase(id);
  const publishDir = await mkdtemp(join(tmpdir(), 'pressroom-bench-'));
  const ports = Object.fromEntries(
    await Promise.all((['gateway', 'research', 'llm', 'publisher'] as const).map(async (s) => [s, await freePort()] as const)),
  ) as Record<ServiceName, number>;
  const env = testEnv(id, {
    ...unlimitedSettings(),
    PUBLISH_DIR: publishDir,
    DEFAULT_CHANNEL: 'file',
    SEARCH_PROVIDER: 'local',
    LLM_PROVIDER: 'local',
    GATEWAY_PORT: String(ports.gateway),
    RESEARCH_PORT: String(ports.research),
    LLM_PORT: String(ports.llm),
    PUBLISHER_PORT: String(ports.publisher),
    ...opts.settings,
  });
  const services: Child[] = [];
  const stop = async () => {
    if (!live.delete(stop)) return;
    const codes = await Promise.all(services.map((s) => s.stop()));
    codes.forEach((code, i) => {
      if (code !== 0) log(`${services[i]!.name} exited ${code}:\n${services[i]!.tail()}`);
    });
    await cleanupBroker(id).catch(() => undefined);
    await deleteRunObjects(env['AMQP_PREFIX']!);
    await cleanupRedis(id).catch(() => undefined);
    await dropDatabase(id);
    await rm(publishDir, { recursive: true, force: true });
  };
  live.add(stop);
  try {
    // The gateway first: it runs the migrations; the workers need nothing from it to start.
    const [first, ...rest] = opts.services;
    if (first) services.push(await startService(first, env, ports[first], opts.nodeArgs?.(first)));
    services.push(...(await Promise.all(rest.map((s) => startService(s, env, ports[s], opts.nodeArgs?.(s))))));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    id,
    database: `pressroom_${id}`,
    prefix: env['AMQP_PREFIX']!,
    publishDir,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    services,
    service: (name) => {
      const s = services.find((c) => c.name === name);
      if (!s) throw new Error(`${name} is not running in this stack`);
      return s;
    },
    stop,
  };
}
