import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { api, json } from './api.ts';
import { config } from './config.ts';
import { accessToken, prepareUsers, type Credentials } from './session.ts';

export interface MixData {
  users: Credentials[];
}

const TONES = ['neutral', 'formal', 'casual', 'persuasive'];
/** Submissions the gateway shed (503 `unavailable`): only where a scenario expects shedding (spike). */
const shed = new Counter('submissions_shed');

/**
 * TOPIC made unique per run, VU and iteration, so that the caches (LLM 24 h, search 1 h) do not answer a run from
 * an earlier one: `TOPIC (<run>v<vu>i<iteration>)`. The marker is one word on purpose: research counts every word
 * of a topic (digits too) as a term, and wants most of them together in one sentence of a source (at least 2);
 * one extra term keeps that within reach of any TOPIC with two content words or more, where `(3-17)` made two.
 */
export function uniqueTopic(iteration = __ITER): string {
  return `${config.topic} (${config.runId}v${__VU}i${iteration})`;
}

/** Setup shared by the load-shaped scenarios: the accounts, registered once for the whole run. */
export function mixSetup(): MixData {
  return { users: prepareUsers() };
}

/**
 * One iteration of the mix: submit a content request, then read it back READS_PER_SUBMIT times, the way a
 * client follows its request. Each call is checked against the contract, not only its status.
 */
export function requestMix(data: MixData, opts: { shedding?: boolean } = {}): void {
  const token = accessToken(data.users);
  const body = { topic: uniqueTopic(), tone: TONES[__ITER % TONES.length], length: config.length };
  const submitted = api.submit(token, body, undefined, opts.shedding ? [202, 503] : [202]);
  const created = json<{ id?: string; status?: string; code?: string }>(submitted);
  // The load shedder's answer (SHED_TASK_AGE_S): a documented 503 `unavailable` with Retry-After, counted apart.
  if (opts.shedding && submitted.status === 503) {
    shed.add(1);
    check(submitted, { 'shed: 503 unavailable with Retry-After': (r) => created?.code === 'unavailable' && Number(r.headers['Retry-After']) > 0 });
    return;
  }
  const ok = check(submitted, {
    'submit: 202': (r) => r.status === 202,
    'submit: queued with an id': () => typeof created?.id === 'string' && created.status === 'queued',
    'submit: Location names it': (r) => created?.id !== undefined && (r.headers['Location'] ?? '').endsWith(`/v1/requests/${created.id}`),
  });
  const id = created?.id;
  if (!ok || id === undefined) return;
  for (let i = 0; i < config.readsPerSubmit; i++) {
    const read = api.getRequest(token, id);
    const detail = json<{ id?: string; status?: string; stages?: unknown[] }>(read);
    check(read, {
      'read: 200': (r) => r.status === 200,
      'read: same request with its stage timeline': () =>
        detail !== undefined && detail.id === id && Array.isArray(detail.stages) && detail.stages.length === 3,
    });
  }
}
