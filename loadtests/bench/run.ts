// `pnpm bench`: the local benchmark of issue 6 on this machine, a few minutes by default. Gateway vs bare
// express (autocannon), the four-service pipeline end to end, and the LLM response cache; `--soak` instead
// runs a 10-minute pipeline soak with RSS sampling. Prints a table; writes JSON + Markdown to bench/results/.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertInfrastructure } from '@pressroom/test-support';
import { runGatewayBench } from './gateway/gateway-bench.ts';
import { runLlmCacheBench } from './llm/llm-cache-bench.ts';
import { runPipelineBench } from './pipeline/pipeline-bench.ts';
import { runSoak } from './pipeline/soak-bench.ts';
import { newResults, RESULTS_DIR, saveResults, type BenchResults } from './report/results.ts';
import { parseBenchOptions, type BenchOptions } from './support/cli-options.ts';
import { summariseProfile } from './support/cpu-profile.ts';
import { log } from './support/stats.ts';

async function guarded(results: BenchResults, suite: string, run: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await run();
  } catch (err) {
    results.errors[suite] = err instanceof Error ? err.message : String(err);
    log(`${suite} failed: ${results.errors[suite]}`);
  }
  log(`${suite} took ${Math.round((Date.now() - started) / 1000)} s`);
}

async function gatewaySuite(results: BenchResults, options: BenchOptions): Promise<void> {
  const profileDir = options.cpuProf ? join(RESULTS_DIR, 'profiles', results.startedAt.replace(/[:.]/g, '-')) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  results.gateway = await runGatewayBench({ connections: options.connections, users: options.gatewayUsers, rounds: options.rounds, roundS: options.roundS, settings: options.settings, profileDir });
  if (profileDir) {
    const file = (await readdir(profileDir)).find((f) => f.endsWith('.cpuprofile'));
    if (file) results.gatewayProfile = await summariseProfile(join(profileDir, file));
    else log('no gateway CPU profile was written (did the gateway exit cleanly?)');
  }
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (!options) return 0;
  await assertInfrastructure();
  const results = newResults(options);
  if (options.soak) {
    await guarded(results, 'soak', async () => {
      results.soak = await runSoak({ minutes: options.soakMinutes, rate: options.soakRate, settings: options.settings });
    });
  } else {
    // The quiet measurement first, while nothing else this run started is still settling.
    if (options.only.includes('llm'))
      await guarded(results, 'llm', async () => {
        results.llm = await runLlmCacheBench({ iterations: options.llmIterations });
      });
    if (options.only.includes('gateway')) await guarded(results, 'gateway', () => gatewaySuite(results, options));
    if (options.only.includes('pipeline'))
      await guarded(results, 'pipeline', async () => {
        results.pipeline = await runPipelineBench({ rate: options.rate, window: options.window, durationS: options.durationS, settings: options.settings });
      });
  }
  results.finishedAt = new Date().toISOString();
  const saved = await saveResults(results);
  process.stdout.write(`\n${saved.markdown}\nwritten: ${saved.json}\n         ${saved.md}\n`);
  return Object.keys(results.errors).length > 0 ? 1 : 0;
}

process.exitCode = await main();
