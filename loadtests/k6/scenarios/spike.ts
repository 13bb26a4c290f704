// Spike: a quiet baseline, a jump to SPIKE_FACTOR x TARGET_RPS within seconds, then back. Each call is tagged with
// its phase (baseline, spike, recovery), so the thresholds judge the spike's errors and the recovery's latency on
// their own. A submission the gateway sheds (503 `unavailable` with Retry-After, once the oldest waiting task is
// older than SHED_TASK_AGE_S) is an expected answer here, counted in `submissions_shed`, not a failure.
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { config, durationMs, iterationsPerMinute } from '../lib/config.ts';
import { requestMix, mixSetup, type MixData } from '../lib/request-mix.ts';
import { apiThresholds, arrivalRateBase } from '../lib/thresholds.ts';

const base = iterationsPerMinute(config.targetRps * 0.2);
const peak = iterationsPerMinute(config.targetRps * config.spikeFactor);
const BASELINE_MS = 60_000;
// The recovery is judged from one minute after the rate came back down: the backlog the spike left drains first.
const RECOVERY_FROM_MS = BASELINE_MS + 10_000 + durationMs(config.spikeHold) + 10_000 + 60_000;

export const options: Options = {
  scenarios: {
    spike: {
      ...arrivalRateBase(),
      startRate: base,
      stages: [
        { target: base, duration: '1m' },
        { target: peak, duration: '10s' },
        { target: peak, duration: config.spikeHold },
        { target: base, duration: '10s' },
        { target: base, duration: '2m' },
      ],
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_failed{phase:spike}': ['rate<0.01'],
    'http_req_duration{kind:api,phase:baseline}': ['p(95)<200', 'p(99)<500'],
    'http_req_duration{kind:api,phase:recovery}': ['p(95)<200', 'p(99)<500'],
    checks: apiThresholds.checks,
    dropped_iterations: ['count<1'],
  },
};

export function setup(): MixData {
  return mixSetup();
}

export default function (data: MixData): void {
  const elapsed = Date.now() - exec.scenario.startTime;
  exec.vu.metrics.tags['phase'] = elapsed < BASELINE_MS ? 'baseline' : elapsed < RECOVERY_FROM_MS ? 'spike' : 'recovery';
  requestMix(data, { shedding: true });
}
