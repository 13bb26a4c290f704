import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { AppError } from '@pressroom/contracts';
import { createAccessTokens } from '../../src/auth/access-tokens.ts';
import { HS, claims } from '../support/token-settings.ts';

const signed = (extra: Record<string, unknown>) =>
  jwt.sign({ sid: claims.sid, role: 'user', ...extra }, HS.secret!, { algorithm: 'HS256', subject: claims.sub, issuer: HS.issuer, audience: HS.audience });
const isUnauthorized = (err: unknown) => err instanceof AppError && err.code === 'unauthorized';

describe('access token verification, remembered per token', () => {
  it('when the same token comes again, then jsonwebtoken is not asked again and the claims are the same', (t) => {
    const tokens = createAccessTokens(HS);
    const token = tokens.sign(claims);
    const verify = t.mock.method(jwt, 'verify');
    assert.deepEqual(tokens.verify(token), claims);
    assert.deepEqual(tokens.verify(token), claims);
    assert.equal(verify.mock.callCount(), 1);
  });

  it('when a remembered token expires, then the call at its expiry second and every later one refuse it', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_800_000_000_500 });
    const tokens = createAccessTokens(HS);
    const token = signed({ exp: 1_800_000_060 });
    assert.deepEqual(tokens.verify(token), claims);
    t.mock.timers.tick(58_999);
    assert.deepEqual(tokens.verify(token), claims, 'one second before exp, still remembered');
    t.mock.timers.tick(1_000);
    assert.throws(() => tokens.verify(token), isUnauthorized, 'at exp, as jsonwebtoken (now >= exp)');
    assert.throws(() => tokens.verify(token), isUnauthorized, 'and on every call after');
  });

  it('when a token carries nbf, then it is not remembered: jsonwebtoken checks it on every call', (t) => {
    const tokens = createAccessTokens(HS);
    const token = signed({ exp: Math.floor(Date.now() / 1000) + 60, nbf: Math.floor(Date.now() / 1000) - 1 });
    const verify = t.mock.method(jwt, 'verify');
    tokens.verify(token);
    tokens.verify(token);
    assert.equal(verify.mock.callCount(), 2);
  });

  it('when a remembered token is re-signed with another key or its claims are changed, then that token is refused', () => {
    const tokens = createAccessTokens(HS);
    const token = tokens.sign(claims);
    tokens.verify(token);
    const [header, payload] = token.split('.') as [string, string];
    const admin = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' })).toString('base64url');
    assert.throws(() => tokens.verify(`${header}.${admin}.${token.split('.')[2]}`), isUnauthorized);
    const other = jwt.sign({ sid: claims.sid }, 'another-secret-that-is-long-enough-for-hs256', {
      algorithm: 'HS256',
      subject: claims.sub,
      issuer: HS.issuer,
      audience: HS.audience,
      expiresIn: 60,
    });
    assert.throws(() => tokens.verify(other), isUnauthorized);
    const forged = `${header}.${payload}.${Buffer.alloc(32, 7).toString('base64url')}`;
    assert.throws(() => tokens.verify(forged), isUnauthorized, 'the remembered header and payload under another signature');
    assert.deepEqual(tokens.verify(token), claims, 'the real one still passes');
  });

  it('when a verifier has remembered tokens, then another verifier (another key) does not share them', () => {
    const token = createAccessTokens(HS).sign(claims);
    const mine = createAccessTokens(HS);
    mine.verify(token);
    const rotated = createAccessTokens({ ...HS, secret: 'a-rotated-secret-that-is-long-enough-for-hs256' });
    assert.throws(() => rotated.verify(token), isUnauthorized);
  });
});
