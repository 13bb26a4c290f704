import { config } from './config.ts';

/**
 * The pass/fail bar of every API scenario. `http_req_failed` counts only unexpected statuses: each call
 * declares what it expects (lib/api.ts), and the rate-limit scenario's call past the limit expects its 429, so
 * that 429 is no failure while a 429 in a load run (the limiter, not the system, answering) is one.
 */
export const apiThresholds = {
  http_req_failed: ['rate<0.01'],
  'http_req_duration{kind:api}': ['p(95)<200', 'p(99)<500'],
  'http_req_duration{name:POST /v1/requests}': ['p(95)<200', 'p(99)<500'],
  'http_req_duration{name:GET /v1/requests/{id}}': ['p(95)<200', 'p(99)<500'],
  checks: ['rate>0.99'],
};

/** Sign-ins (`kind:auth`): argon2id makes them slow on purpose, so their bar is their own. */
export const authThresholds = {
  'http_req_duration{kind:auth}': ['p(95)<1000', 'p(99)<2000'],
};

/** Arrival-rate scenarios need VUs to hold the rate; k6 reports `dropped_iterations` when it runs short. */
export function arrivalRateBase() {
  return {
    executor: 'ramping-arrival-rate' as const,
    timeUnit: '1m',
    preAllocatedVUs: config.preAllocatedVus,
    maxVUs: config.maxVus,
    gracefulStop: '30s',
  };
}
