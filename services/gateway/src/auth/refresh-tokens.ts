import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** Refresh tokens are 256 random bits; only their SHA-256 is stored, so a database leak yields no usable token. */
export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The key that derives a refresh token's successor (REFRESH_REUSE_GRACE_S), from the gateway's signing secret
 * through HKDF, so it is as secret as that and needs no setting of its own.
 */
export function successorKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'pressroom', 'refresh-token successor v1', 32));
}

/**
 * The successor of a refresh token is an HMAC of it: a second presentation within the grace window gets the
 * same successor again without any successor being stored (only its SHA-256, like every refresh token), and
 * nobody without the key can compute it from a stolen token.
 */
export function successorOf(key: Buffer, token: string): { token: string; hash: Buffer } {
  const next = createHmac('sha256', key).update(token, 'utf8').digest('base64url');
  return { token: next, hash: hashToken(next) };
}
