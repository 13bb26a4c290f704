// `pnpm bench`: the local benchmark of issue 11 on this machine, about 8 minutes by default. Prints two tables
// from one run: the gateway alone against a bare express app (per-call CPU, req/s, latency), and the four-service
// pipeline (CPU per request for every process including PostgreSQL, RabbitMQ and Redis, throughput, lost,
// latency, status lag, broker messages per request), each target with PASS/FAIL. `--only=gateway` or
// `--only=pipeline` runs one table; `--soak` a 10-minute soak instead. JSON + Markdown go to bench/results/.
import { mkdir, readdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { assertInfrastructure } from '@pressroom/test-support';
import { runGatewayBench } from './gateway/gateway-bench.ts';
import { runLlmCacheBench } from './llm/llm-cache-bench.ts';
import { runPipelineBench } from './pipeline/pipeline-bench.ts';
import { runSoak } from './pipeline/soak-bench.ts';
import { newResults, RESULTS_DIR, saveResults, type BenchResults } from './report/results.ts';
import { parseBenchOptions, type BenchOptions } from './support/cli-options.ts';
import { summariseProfile } from './support/cpu-profile.ts';
import { stopAllStacks } from './support/stack.ts';
import { log } from './support/stats.ts';

async function guarded(results: BenchResults, suite: string, run: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await run();
  } catch (err) {
    results.errors[suite] = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`${suite} failed: ${results.errors[suite]}`);
  }
  log(`${suite} took ${Math.round((Date.now() - started) / 1000)} s`);
}

function profileDir(results: BenchResults, suite: string): string {
  return join(RESULTS_DIR, 'profiles', results.startedAt.replace(/[:.]/g, '-'), suite);
}

async function gatewaySuite(results: BenchResults, options: BenchOptions): Promise<void> {
  const dir = options.cpuProf ? profileDir(results, 'gateway') : undefined;
  if (dir) await mkdir(dir, { recursive: true });
  results.gateway = await runGatewayBench({
    connections: options.connections,
    users: options.users,
    rounds: options.rounds,
    roundS: options.roundS,
    warmupS: options.warmupS,
    settings: options.settings,
    profileDir: dir,
  });
  if (dir) {
    const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
    if (file) results.gatewayProfile = await summariseProfile(join(dir, file));
    else log('no gateway CPU profile was written (did the gateway exit cleanly?)');
  }
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (!options) return 0;
  await assertInfrastructure();
  const results = newResults(options);
  // Ctrl-C still removes the run's databases, queues and Redis keys from the shared servers.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`${signal}: stopping the services and removing this run's data`);
      void stopAllStacks().finally(() => process.exit(130));
    });
  if (options.soak) {
    await guarded(results, 'soak', async () => {
      results.soak = await runSoak({ minutes: options.soakMinutes, rate: options.soakRate, users: options.users, settings: options.settings });
    });
  } else {
    if (options.only.includes('llm'))
      await guarded(results, 'llm', async () => {
        results.llm = await runLlmCacheBench({ iterations: options.llmIterations });
      });
    if (options.only.includes('gateway')) await guarded(results, 'gateway', () => gatewaySuite(results, options));
    if (options.only.includes('pipeline'))
      await guarded(results, 'pipeline', async () => {
        const dir = options.cpuProf ? profileDir(results, 'pipeline') : undefined;
        results.pipeline = await runPipelineBench({
          users: options.users,
          window: options.window,
          burstS: options.burstS,
          rate: options.rate,
          lagRate: options.lagRate,
          phaseS: options.phaseS,
          variantS: options.variantS,
          settings: options.settings,
          profileDir: dir,
        });
      });
  }
  results.finishedAt = new Date().toISOString();
  results.machine.loadAverageAtEnd = loadavg()[0]!;
  const saved = await saveResults(results);
  process.stdout.write(`\n${saved.markdown}\nwritten: ${saved.json}\n         ${saved.md}\n`);
  return Object.keys(results.errors).length > 0 ? 1 : 0;
}

// Exit once the results are written: every stack is stopped by then, and a leftover handle in a client library
// (seen: the run idling for minutes after writing its tables) must not keep `pnpm bench` from returning.
process.exit(await main());
