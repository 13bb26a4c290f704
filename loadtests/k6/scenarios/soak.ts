// Soak: a steady rate (SOAK_RPS, default 60 % of TARGET_RPS) for SOAK_DURATION (default 2 h). Looks for what
// only time shows: memory growth, connection leaks, a table or queue that keeps growing. Each VU rotates its
// refresh token before the access token expires (lib/session.ts), so runs may outlast JWT_ACCESS_TTL.
import type { Options } from 'k6/options';
import { config, iterationsPerMinute } from '../lib/config.ts';
import { requestMix, mixSetup, type MixData } from '../lib/request-mix.ts';
import { apiThresholds } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: iterationsPerMinute(config.soakRps || config.targetRps * 0.6),
      timeUnit: '1m',
      duration: config.soakDuration,
      preAllocatedVUs: config.preAllocatedVus,
      maxVUs: config.maxVus,
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
