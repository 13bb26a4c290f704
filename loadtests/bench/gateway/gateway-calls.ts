import { createHmac, randomBytes } from 'node:crypto';
import type { BenchUser } from '../support/api-client.ts';
import { submitBody } from '../support/topics.ts';
import type { CallSpec } from './autocannon-round.ts';

/** Which budget a kind of call is held to (see report/targets.ts). */
export type CallClass = 'baseline' | 'submit' | 'read' | 'refused';

/** Which process answers: the main gateway, the bare express app, or a gateway started with one limit at 1. */
export type CallServer = 'gateway' | 'express' | 'ip-limited' | 'user-limited';

export interface CallKind {
  kind: string;
  label: string;
  class: CallClass;
  server: CallServer;
  expect: number;
  spec: CallSpec;
}

const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const body = (n: number) => JSON.stringify(submitBody(n));
const post = (headers: (n: number) => Record<string, string>): CallSpec => ({
  method: 'POST',
  path: () => '/v1/requests',
  headers: (n) => ({ ...json, ...headers(n) }),
  body,
});

/**
 * A well-formed HS256 access token with the real claims of `token` (same subject, session, issuer and
 * audience) signed with another secret: the gateway has to check the signature to refuse it, the way a
 * forged or stale-secret token is refused. A malformed string would be refused earlier, by a regex.
 */
export function forgedToken(token: string): string {
  const [header, payload] = token.split('.');
  const signature = createHmac('sha256', randomBytes(48)).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The gateway table's rows, in the order they are printed. */
export function gatewayCalls(opts: { users: BenchUser[]; reads: Array<{ token: string; id: string }> }): CallKind[] {
  const { users, reads } = opts;
  const one = users[0]!;
  const forged = forgedToken(one.token);
  return [
    { kind: 'express', label: 'bare express, same POST, constant 202', class: 'baseline', server: 'express', expect: 202, spec: post(() => bearer(one.token)) },
    { kind: 'submit-1', label: 'POST /v1/requests, 1 user', class: 'submit', server: 'gateway', expect: 202, spec: post(() => bearer(one.token)) },
    {
      kind: `submit-${users.length}`,
      label: `POST /v1/requests, ${users.length} users`,
      class: 'submit',
      server: 'gateway',
      expect: 202,
      spec: post((n) => bearer(users[n % users.length]!.token)),
    },
    {
      kind: 'read-request',
      label: `GET /v1/requests/{id}, ${users.length} users`,
      class: 'read',
      server: 'gateway',
      expect: 200,
      spec: { method: 'GET', path: (n) => `/v1/requests/${reads[n % reads.length]!.id}`, headers: (n) => bearer(reads[n % reads.length]!.token) },
    },
    {
      kind: 'read-me',
      label: `GET /v1/me, ${users.length} users`,
      class: 'read',
      server: 'gateway',
      expect: 200,
      spec: { method: 'GET', path: () => '/v1/me', headers: (n) => bearer(users[n % users.length]!.token) },
    },
    { kind: '401-no-token', label: 'POST /v1/requests, no token → 401', class: 'refused', server: 'gateway', expect: 401, spec: post(() => ({})) },
    {
      kind: '401-forged-token',
      label: 'POST /v1/requests, forged token → 401',
      class: 'refused',
      server: 'gateway',
      expect: 401,
      spec: post(() => bearer(forged)),
    },
    { kind: '429-ip', label: 'POST /v1/requests, no token, IP limit spent → 429', class: 'refused', server: 'ip-limited', expect: 429, spec: post(() => ({})) },
  ];
}

/** Needs an account of the user-limited gateway (its own database), so it is built once that one runs. */
export function userLimitedCall(user: BenchUser): CallKind {
  return {
    kind: '429-user',
    label: 'POST /v1/requests, user limit spent → 429',
    class: 'refused',
    server: 'user-limited',
    expect: 429,
    spec: post(() => bearer(user.token)),
  };
}
