import type { TokenSettings } from '../../src/auth/access-tokens.ts';

/** HS256 settings and one user's claims for the unit tests of access tokens and their precheck. */
export const HS: TokenSettings = {
  algorithm: 'HS256',
  secret: 'a-test-secret-that-is-long-enough-for-hs256',
  issuer: 'pressroom',
  audience: 'pressroom-api',
  accessTtlSeconds: 900,
};

export const claims = { sub: '00000000-0000-4000-8000-000000000001', sid: '00000000-0000-4000-8000-000000000002', role: 'user' as const };
