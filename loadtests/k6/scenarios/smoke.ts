// Smoke: one VU walks the submit/read mix SMOKE_ITERATIONS times (5), one account, well inside the default daily
// quota and hourly limits. Run it first against every new deployment.
import type { Options } from 'k6/options';
import { requestMix, mixSetup, type MixData } from '../lib/request-mix.ts';
import { config } from '../lib/config.ts';
import { apiThresholds } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: { smoke: { executor: 'per-vu-iterations', vus: 1, iterations: config.smokeIterations, maxDuration: '5m' } },
  thresholds: { ...apiThresholds, checks: ['rate==1'] },
};

export function setup(): MixData {
  return mixSetup();
}

export default function (data: MixData): void {
  requestMix(data);
}
