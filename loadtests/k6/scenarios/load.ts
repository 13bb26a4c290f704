// Load: ramps the arrival rate to TARGET_RPS, holds it, ramps down. The plateau is the capacity claim.
import type { Options } from 'k6/options';
import { config, iterationsPerMinute } from '../lib/config.ts';
import { requestMix, mixSetup, type MixData } from '../lib/request-mix.ts';
import { apiThresholds, arrivalRateBase } from '../lib/thresholds.ts';

const plateau = iterationsPerMinute(config.targetRps);

export const options: Options = {
  scenarios: {
    load: {
      ...arrivalRateBase(),
      startRate: 0,
      stages: [
        { target: plateau, duration: config.rampUp },
        { target: plateau, duration: config.hold },
        { target: 0, duration: config.rampDown },
      ],
    },
  },
  thresholds: { ...apiThresholds, dropped_iterations: ['count<1'] },
};

export function setup(): MixData {
  return mixSetup();
}

export default function (data: MixData): void {
  requestMix(data);
}
