// Stress: steps the arrival rate past TARGET_RPS (STRESS_STEPS multipliers, each held STRESS_STEP) to find the
// knee. Thresholds are expected to break near the top; the step where they first do is the finding.
import type { Options } from 'k6/options';
import { config, iterationsPerMinute } from '../lib/config.ts';
import { requestMix, mixSetup, type MixData } from '../lib/request-mix.ts';
import { apiThresholds, arrivalRateBase } from '../lib/thresholds.ts';

const stages = config.stressSteps.flatMap((factor) => {
  const rate = iterationsPerMinute(config.targetRps * factor);
  return [
    { target: rate, duration: '30s' },
    { target: rate, duration: config.stressStep },
  ];
});

export const options: Options = {
  scenarios: { stress: { ...arrivalRateBase(), startRate: 0, stages: [...stages, { target: 0, duration: '1m' }] } },
  thresholds: apiThresholds,
};

export function setup(): MixData {
  return mixSetup();
}

export default function (data: MixData): void {
  requestMix(data);
}
