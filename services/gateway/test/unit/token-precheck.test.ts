import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createAccessTokens, createTokenPrecheck, type TokenSettings } from '../../src/auth/access-tokens.ts';
import { HS, claims } from '../support/token-settings.ts';

const forge = (token: string) => `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;

describe("token precheck (the refusal fast path's look at a token)", () => {
  it('when a token is signed with our key, then its subject is read; forged with another, refused, on every look', () => {
    const precheck = createTokenPrecheck(HS);
    const token = createAccessTokens(HS).sign(claims);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(precheck(token), { sub: claims.sub });
      assert.equal(precheck(forge(token)), 'refused');
    }
    assert.equal(precheck('not-a-jws'), undefined, 'what cannot be read is left to jsonwebtoken');
  });

  it('when a remembered token expires, then the next look refuses it', async () => {
    const precheck = createTokenPrecheck(HS);
    const token = jwt.sign({ sid: claims.sid, exp: Math.floor(Date.now() / 1000) + 1 }, HS.secret!, { algorithm: 'HS256', subject: claims.sub });
    assert.deepEqual(precheck(token), { sub: claims.sub });
    await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000) + 10));
    assert.equal(precheck(token), 'refused');
  });

  it('when RS256 is configured, then a token signed with the private key passes and one HMAC-signed with the public key is refused', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const RS: TokenSettings = { ...HS, algorithm: 'RS256', privateKey, publicKey };
    const precheck = createTokenPrecheck(RS);
    assert.deepEqual(precheck(createAccessTokens(RS).sign(claims)), { sub: claims.sub });
    const confused = jwt.sign({ sid: claims.sid }, publicKey, { algorithm: 'HS256', subject: claims.sub, expiresIn: 900 });
    assert.equal(precheck(confused), 'refused');
  });
});
