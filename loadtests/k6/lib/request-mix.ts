import { check } from 'k6';
import { api, json } from './api.ts';
import { config } from './config.ts';
import { accessToken, prepareUsers, type Credentials } from './session.ts';

export interface MixData {
  users: Credentials[];
}

const TONES = ['neutral', 'formal', 'casual', 'persuasive'];

/** Setup shared by the load-shaped scenarios: the accounts, registered once for the whole run. */
export function mixSetup(): MixData {
  return { users: prepareUsers() };
}

/**
 * One iteration of the mix: submit a content request, then read it back READS_PER_SUBMIT times, the way a
 * client follows its request. Each call is checked against the contract, not only its status.
 */
export function requestMix(data: MixData): void {
  const token = accessToken(data.users);
  const body = { topic: `${config.topic} (${__VU}-${__ITER})`, tone: TONES[__ITER % TONES.length], length: config.length };
  const submitted = api.submit(token, body);
  const created = json<{ id?: string; status?: string }>(submitted);
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
