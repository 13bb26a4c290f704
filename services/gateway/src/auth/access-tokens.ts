import jwt from 'jsonwebtoken';
import { AppError } from '@pressroom/contracts';

export interface AccessClaims {
  sub: string;
  sid: string;
  role: 'user' | 'admin';
}

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

// Pinned: a token naming any other algorithm (including `none`) is refused before its signature is looked at.
const ALGORITHM = 'HS256' as const;

export function createAccessTokens(settings: TokenSettings) {
  const key = Buffer.from(settings.secret, 'utf8');
  return {
    ttlSeconds: settings.accessTtlSeconds,
    sign(claims: AccessClaims): string {
      return jwt.sign({ sid: claims.sid, role: claims.role }, key, {
        algorithm: ALGORITHM,
        subject: claims.sub,
        issuer: settings.issuer,
        audience: settings.audience,
        expiresIn: settings.accessTtlSeconds,
      });
    },
    verify(token: string): AccessClaims {
      try {
        const payload = jwt.verify(token, key, { algorithms: [ALGORITHM], issuer: settings.issuer, audience: settings.audience, complete: false });
        if (typeof payload === 'string' || typeof payload.exp !== 'number' || !payload.sub || typeof payload['sid'] !== 'string') throw new Error('missing claims');
        const role = payload['role'] === 'admin' ? 'admin' : 'user';
        return { sub: payload.sub, sid: payload['sid'], role };
      } catch (err) {
        throw new AppError('unauthorized', 'the access token is invalid or expired', { cause: err });
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
