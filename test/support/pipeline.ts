import { cleanupBroker, cleanupRedis, createDatabase, dropDatabase, testEnv, testId } from '@pressroom/test-support';
import { createApiClient } from '../../services/gateway/test/support/gateway-harness.ts';
import { freePort, startService, type ServiceProcess } from './services.ts';

export type ServiceName = 'gateway' | 'research' | 'llm' | 'publisher';
const PORT_SETTING = { gateway: 'GATEWAY_PORT', research: 'RESEARCH_PORT', llm: 'LLM_PORT', publisher: 'PUBLISHER_PORT' } as const;

/**
 * The services as separate processes under one isolated env (own database, queue prefix, Redis prefix), with
 * a way to kill one and start a replacement (as an orchestrator would after a crash) or to swap one's settings.
 */
export async function startPipeline(label: string, overrides: Record<string, string> = {}, names: ServiceName[] = ['gateway', 'research', 'llm', 'publisher']) {
  const id = testId(label);
  await createDatabase(id);
  // Tests poll the API; the per-user and per-IP hourly limits are not what they exercise.
  const env = testEnv(id, { RATE_LIMIT_USER_PER_HOUR: '100000', RATE_LIMIT_IP_PER_HOUR: '100000', DAILY_REQUEST_QUOTA: '1000', ...overrides });
  const running = new Map<ServiceName, ServiceProcess>();
  const gone: ServiceProcess[] = [];

  async function start(name: ServiceName, settings: Record<string, string> = {}): Promise<ServiceProcess> {
    const port = await freePort();
    const service = await startService(name, { ...env, ...settings, [PORT_SETTING[name]]: String(port) }, port);
    running.set(name, service);
    return service;
  }

  async function cleanup(): Promise<void> {
    await cleanupBroker(id);
    await cleanupRedis(id);
    await dropDatabase(id);
  }

  async function stop(name: ServiceName, signal: NodeJS.Signals): Promise<number | null> {
    const service = running.get(name);
    if (!service) return null;
    running.delete(name);
    gone.push(service);
    return service.stop(signal);
  }

  // allSettled, not all: a failed start must not leave the other starts running on, unowned.
  const started = await Promise.allSettled(names.map((name) => start(name)));
  const failure = started.find((r) => r.status === 'rejected');
  if (failure) {
    await Promise.all([...running.values()].map((s) => s.stop()));
    await cleanup();
    throw failure.reason;
  }
  const url = `http://127.0.0.1:${running.get('gateway')!.port}`;
  const api = createApiClient(url);

  return {
    id,
    env,
    api,
    /** The gateway's base URL (for clients other than `api`, such as an event stream). */
    url,
    /** The running process of `name` (its ports, its output); throws when it is not running. */
    service(name: ServiceName): ServiceProcess {
      const service = running.get(name);
      if (!service) throw new Error(`${name} is not running`);
      return service;
    },
    /** Starts `name` (again), with extra settings; the replaced process must already be stopped or killed. */
    start,
    /** SIGKILL: no drain, no acks, no clean-up; resolves once the process is gone. */
    async kill(name: ServiceName): Promise<void> {
      await stop(name, 'SIGKILL');
    },
    /** SIGTERM one service; resolves to its exit code (null if it was not running). */
    stop: (name: ServiceName) => stop(name, 'SIGTERM'),
    /** Stops every running service with SIGTERM and removes the run's database, queues and keys; returns the exit codes by service. */
    async close(): Promise<Record<string, number | null>> {
      const codes = Object.fromEntries(await Promise.all([...running].map(async ([name, s]) => [name, await s.stop()] as const)));
      await Promise.all(gone.map((s) => s.stop()));
      await cleanup();
      return codes;
    },
  };
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;
