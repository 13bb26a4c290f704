// Smoke: one VU walks the submit/read mix for a short while. Run it first against every new deployment.
import type { Options } from 'k6/options';
import { requestMix, mixSetup, type MixData } from '../lib/request-mix.ts';
import { apiThresholds } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: { smoke: { executor: 'constant-vus', vus: 1, duration: __ENV['DURATION'] || '30s' } },
  thresholds: { ...apiThresholds, checks: ['rate==1'] },
};

export function setup(): MixData {
  return mixSetup();
}

export default function (data: MixData): void {
  requestMix(data);
}
