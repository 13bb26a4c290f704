import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '@pressroom/contracts';
import type { Config } from '@pressroom/config';

export interface AccessClaims {
  sub: string;
  sid: string;
  role: 'user' | 'admin';
}

export interface TokenSettings {
  algorithm?: 'HS256' | 'RS256';
  /** HS256: the shared secret. */
  secret?: string;
  /** RS256: PEM keys; a replica that only verifies could be given the public key alone. */
  privateKey?: string;
  publicKey?: string;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

export function tokenSettingsFrom(config: Config): TokenSettings {
  return {
    algorithm: config.JWT_ALGORITHM,
    ...(config.JWT_SECRET ? { secret: config.JWT_SECRET } : {}),
    ...(config.JWT_PRIVATE_KEY ? { privateKey: config.JWT_PRIVATE_KEY } : {}),
    ...(config.JWT_PUBLIC_KEY ? { publicKey: config.JWT_PUBLIC_KEY } : {}),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTtlSeconds: config.JWT_ACCESS_TTL,
  };
}

function keys(settings: TokenSettings): { signing: KeyObject; verifying: KeyObject } {
  if ((settings.algorithm ?? 'HS256') === 'HS256') {
    const key = createSecretKey(Buffer.from(settings.secret ?? '', 'utf8'));
    return { signing: key, verifying: key };
  }
  return { signing: createPrivateKey(settings.privateKey ?? ''), verifying: createPublicKey(settings.publicKey ?? '') };
}

/**
 * Access tokens are short-lived JWTs naming their session (`sid`). The algorithm is pinned: a token naming any
 * other algorithm (`none`, HS512, or HS256 "signed" with an RS256 public key) is refused before its signature
 * counts. Passing KeyObjects (not strings) also makes jsonwebtoken refuse a key/algorithm mismatch.
 */
export function createAccessTokens(settings: TokenSettings) {
  const algorithm = settings.algorithm ?? 'HS256';
  const { signing, verifying } = keys(settings);
  return {
    algorithm,
    ttlSeconds: settings.accessTtlSeconds,
    sign(claims: AccessClaims): string {
      return jwt.sign({ sid: claims.sid, role: claims.role }, signing, {
        algorithm,
        subject: claims.sub,
        issuer: settings.issuer,
        audience: settings.audience,
        expiresIn: settings.accessTtlSeconds,
      });
    },
    verify(token: string): AccessClaims {
      try {
        const payload = jwt.verify(token, verifying, { algorithms: [algorithm], issuer: settings.issuer, audience: settings.audience, complete: false });
        // `exp` is required: jsonwebtoken only checks it when present, and a token without one would never expire.
        if (typeof payload === 'string' || typeof payload.exp !== 'number' || !payload.sub || typeof payload['sid'] !== 'string') throw new Error('missing claims');
        const role = payload['role'] === 'admin' ? 'admin' : 'user';
        return { sub: payload.sub, sid: payload['sid'], role };
      } catch (err) {
        throw new AppError('unauthorized', 'the access token is invalid or expired', { cause: err, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
