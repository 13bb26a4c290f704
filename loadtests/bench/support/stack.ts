import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupBroker, cleanupRedis, createDatabase, dropDatabase, testEnv, testId } from '@pressroom/test-support';
import { unlimitedSettings } from '../support/api-client.ts';
import { freePort, startService, type Child, type ServiceName } from '../support/child-process.ts';
import { log } from '../support/stats.ts';

export interface PipelineStack {
  id: string;
  prefix: string;
  gatewayUrl: string;
  services: Child[];
  stop(): Promise<void>;
}

const SERVICES: ServiceName[] = ['gateway', 'research', 'llm', 'publisher'];

/**
 * The four services as separate processes with the embedded providers (local BM25 search, the extractive
 * writer, the file channel into a temp folder), isolated under their own database, queue prefix and Redis
 * prefix, all of which `stop` removes. `settings` override any of that; `nodeArgs` go to every service's
 * node (a profiler, a preload).
 */
export async function startPipeline(label: string, opts: { nodeArgs?: string[]; settings?: Record<string, string> } = {}): Promise<PipelineStack> {
  const id = testId(label);
  await createDatabase(id);
  const publishDir = await mkdtemp(join(tmpdir(), 'pressroom-bench-'));
  const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const))) as Record<ServiceName, number>;
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
    const codes = await Promise.all(services.map((s) => s.stop()));
    codes.forEach((code, i) => {
      if (code !== 0) log(`${services[i]!.name} exited ${code}:\n${services[i]!.tail()}`);
    });
    await cleanupBroker(id);
    await cleanupRedis(id);
    await dropDatabase(id);
    await rm(publishDir, { recursive: true, force: true });
  };
  try {
    // The gateway first: it runs the migrations; the workers need nothing from it to start.
    services.push(await startService('gateway', env, ports.gateway, opts.nodeArgs));
    services.push(...(await Promise.all(SERVICES.slice(1).map((s) => startService(s, env, ports[s], opts.nodeArgs)))));
  } catch (err) {
    await stop();
    throw err;
  }
  return { id, prefix: env['AMQP_PREFIX']!, gatewayUrl: `http://127.0.0.1:${ports.gateway}`, services, stop };
}
