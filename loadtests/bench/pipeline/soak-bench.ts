import { performance } from 'node:perf_hooks';
import { createUsers } from '../support/api-client.ts';
import { rssMb } from '../support/proc-stats.ts';
import { startStack } from '../support/stack.ts';
import { log, median, round, sleep } from '../support/stats.ts';
import { phaseResult, type PhaseResult } from './phase-result.ts';
import { watchPublished } from './publish-watcher.ts';
import { drain, submitAtRate } from './submitters.ts';

export interface SoakResult {
  minutes: number;
  rate: number;
  phase: PhaseResult;
  /** startMb / endMb: medians of the first and last third after warm-up; samples: every 10 s from the start. */
  services: Array<{ name: string; startMb: number; peakMb: number; endMb: number; growthPct: number; samples: number[] }>;
}

const SAMPLE_MS = 10_000;
// The first minute is warm-up (JIT, pools and caches filling); growth is measured from the end of it.
const WARM_UP_MS = 60_000;

/**
 * The pipeline at a fixed rate for `minutes`, each service's RSS sampled every 10 s. RSS saw-tooths by 100 MB
 * and more with V8's garbage collection, so single samples say little: growth compares the median of the
 * last third of the post-warm-up samples with the median of the first third. A leak moves the whole band.
 */
export async function runSoak(opts: { minutes: number; rate: number; users: number; settings?: Record<string, string> }): Promise<SoakResult> {
  const stack = await startStack('benchsoak', { services: ['gateway', 'research', 'llm', 'publisher'], settings: opts.settings ?? {} });
  const watcher = await watchPublished(stack.publishDir);
  const samples = new Map<string, number[]>(stack.services.map((s) => [s.name, []]));
  let sampling = true;
  const started = performance.now();
  let baselineIndex = -1;
  const sampler = (async () => {
    while (sampling) {
      for (const s of stack.services) {
        const mb = await rssMb(s.pid);
        if (mb !== undefined) samples.get(s.name)!.push(mb);
      }
      if (baselineIndex < 0 && performance.now() - started >= WARM_UP_MS) baselineIndex = samples.get(stack.services[0]!.name)!.length - 1;
      const elapsed = Math.round((performance.now() - started) / 1000);
      if (elapsed % 60 < SAMPLE_MS / 1000)
        log(`soak: ${elapsed} s, RSS ${stack.services.map((s) => `${s.name} ${samples.get(s.name)!.at(-1)} MB`).join(', ')}`);
      await sleep(SAMPLE_MS);
    }
  })();
  try {
    const users = await createUsers(stack.gatewayUrl, opts.users, 'soak');
    log(`soak: ${opts.rate} requests/s for ${opts.minutes} min`);
    const submitLog = await submitAtRate({ baseUrl: stack.gatewayUrl, users, rate: opts.rate, durationS: opts.minutes * 60, topics: 'corpus', offset: 0 });
    const phase = phaseResult(submitLog, watcher, await drain(submitLog, watcher, stack.gatewayUrl));
    sampling = false;
    await sampler;
    const services = stack.services.map((s) => {
      const series = samples.get(s.name)!;
      const steady = series.slice(Math.max(0, baselineIndex));
      const third = Math.max(1, Math.floor(steady.length / 3));
      const start = median(steady.slice(0, third));
      const end = median(steady.slice(-third));
      return {
        name: s.name,
        startMb: start,
        peakMb: Math.max(...series),
        endMb: end,
        growthPct: round((100 * (end - start)) / (start || 1), 1),
        samples: series,
      };
    });
    return { minutes: opts.minutes, rate: opts.rate, phase, services };
  } finally {
    sampling = false;
    watcher.close();
    await stack.stop();
  }
}
