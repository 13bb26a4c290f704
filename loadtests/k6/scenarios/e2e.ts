// End to end: submits E2E_REQUESTS content requests per VU and polls each until it is `published` (or
// `failed`, or POLL_TIMEOUT_S passes), then checks the stage timeline and the published URL. Measures
// submit-to-published time in the `e2e_publish_ms` trend. On staging with real providers, choose a TOPIC
// the search provider finds and budget POLL_TIMEOUT_S for the LLM.
import { check, sleep } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { api, json } from '../lib/api.ts';
import { config } from '../lib/config.ts';
import { accessToken, prepareUsers, type Credentials } from '../lib/session.ts';
import { uniqueTopic } from '../lib/request-mix.ts';
import { apiThresholds } from '../lib/thresholds.ts';

const publishMs = new Trend('e2e_publish_ms', true);
const outcomes = new Counter('e2e_outcomes');

export const options: Options = {
  scenarios: {
    e2e: {
      executor: 'per-vu-iterations',
      vus: config.e2eVus,
      iterations: config.e2eRequests,
      maxDuration: `${Math.ceil(config.pollTimeoutS * config.e2eRequests + 120)}s`,
    },
  },
  thresholds: {
    ...apiThresholds,
    checks: ['rate==1'],
    e2e_publish_ms: [`p(95)<${config.e2eP95Ms}`],
    'e2e_outcomes{outcome:published}': [`count==${config.e2eVus * config.e2eRequests}`],
  },
};

interface Detail {
  id: string;
  status: string;
  stages: Array<{ stage: string; status: string; attempts: number; duration_ms: number | null }>;
  result: { title?: string; body_markdown?: string; published_url: string | null } | null;
  error?: { code?: string; message?: string } | null;
}

export function setup(): { users: Credentials[] } {
  return { users: prepareUsers() };
}

export default function (data: { users: Credentials[] }): void {
  const token = accessToken(data.users);
  const started = Date.now();
  // Each request its own topic: a repeated one is answered by the search and LLM caches, and would time the cache.
  const submitted = api.submit(token, { topic: uniqueTopic(), length: config.length });
  const id = json<{ id?: string }>(submitted)?.id;
  if (!check(submitted, { 'submit: 202 with an id': (r) => r.status === 202 && typeof id === 'string' }) || !id) return;

  let detail: Detail | undefined;
  const deadline = started + config.pollTimeoutS * 1000;
  while (Date.now() < deadline) {
    detail = json<Detail>(api.getRequest(accessToken(data.users), id));
    if (detail?.status === 'published' || detail?.status === 'failed') break;
    sleep(config.pollIntervalS);
  }
  const status = detail?.status ?? 'unknown';
  outcomes.add(1, { outcome: status === 'published' || status === 'failed' ? status : 'timeout' });
  if (status === 'published') publishMs.add(Date.now() - started);
  else console.error(`request ${id} ended ${status}: ${JSON.stringify(detail?.error ?? detail?.stages ?? null)}`);

  check(detail, {
    'e2e: published': (d) => d?.status === 'published',
    'e2e: research, write and publish all completed': (d) =>
      (d?.stages ?? []).map((s) => `${s.stage}:${s.status}`).join(',') === 'research:completed,write:completed,publish:completed',
    'e2e: an article with a published_url': (d) => !!d?.result?.title && !!d.result.body_markdown && typeof d.result.published_url === 'string',
  });
}
