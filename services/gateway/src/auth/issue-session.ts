import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { TokenPair as TokenPairSchema } from '@pressroom/contracts';
import type { DbClient } from '../db/pool.ts';
import type { AccessTokens } from './access-tokens.ts';
import { newRefreshToken } from './refresh-tokens.ts';
import { insertFamily, insertRefreshToken } from './session-repository.ts';

export type TokenPair = Static<typeof TokenPairSchema>;

/** Starts a session family at login; its refresh lifetime is absolute from here, however often it rotates. */
export async function startSession(
  db: DbClient,
  tokens: AccessTokens,
  user: { id: string; role: 'user' | 'admin' },
  refreshTtlSeconds: number,
): Promise<TokenPair> {
  const familyId = randomUUID();
  const expiresAt = new Date(Date.now() + refreshTtlSeconds * 1000);
  await insertFamily(db, { id: familyId, user_id: user.id, expires_at: expiresAt });
  const refresh = newRefreshToken();
  await insertRefreshToken(db, { id: randomUUID(), family_id: familyId, user_id: user.id, hash: refresh.hash, expires_at: expiresAt });
  return pair(tokens, { sub: user.id, sid: familyId, role: user.role }, refresh.token);
}

export function pair(tokens: AccessTokens, claims: { sub: string; sid: string; role: 'user' | 'admin' }, refreshToken: string): TokenPair {
  return { access_token: tokens.sign(claims), refresh_token: refreshToken, token_type: 'Bearer', expires_in: tokens.ttlSeconds };
}
