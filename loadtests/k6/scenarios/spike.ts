// Spike: a quiet baseline, a jump to SPIKE_FACTOR x TARGET_RPS within seconds, then back. What matters is
// the error rate during the spike and how fast latency recovers afterwards (compare the last minute).
import type { Options } from 'k6/options';
import { config, iterationsPerMinute } from '../lib/config.ts';
import { requestMix, mixSetup, type MixData } from '../lib/request-mix.ts';
import { apiThresholds, arrivalRateBase } from '../lib/thresholds.ts';

const base = iterationsPerMinute(config.targetRps * 0.2);
const peak = iterationsPerMinute(config.targetRps * config.spikeFactor);

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
  thresholds: apiThresholds,
};

export function setup(): MixData {
  return mixSetup();
}

export default function (data: MixData): void {
  requestMix(data);
}
