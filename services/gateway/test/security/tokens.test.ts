import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { loadConfig, type ConfigError } from '@pressroom/config';
import { testEnv } from '@pressroom/test-support';
import { startTestGateway } from '../support/gateway-harness.ts';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('API2:2023 Broken Authentication: access tokens', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let user: Awaited<ReturnType<typeof h.api.registerAndLogin>>;
  let claims: { sub: string; sid: string };
  before(async () => {
    h = await startTestGateway({}, 'sectok');
    user = await h.api.registerAndLogin();
    claims = jwt.decode(user.access) as { sub: string; sid: string };
  });
  after(() => h.close());

  const me = (token: string) => h.api.call('GET', '/v1/me', { token });
  const now = () => Math.floor(Date.now() / 1000);
  /** A token that is right in every way but the one under test. */
  const forge = (payload: object = {}, opts: jwt.SignOptions = {}, key: jwt.Secret = h.config.JWT_SECRET!) => {
    const all = { algorithm: 'HS256', subject: claims.sub, issuer: h.config.JWT_ISSUER, audience: h.config.JWT_AUDIENCE, expiresIn: 300, ...opts };
    // An option set to undefined means "leave this claim out".
    return jwt.sign(
      { sid: claims.sid, role: 'user', ...payload },
      key,
      Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as jwt.SignOptions,
    );
  };

  it('when a correctly forged control token is sent, then it works (so each refusal below is about one property)', async () => {
    assert.equal((await me(forge())).status, 200);
  });

  const refusals: Array<[string, () => string]> = [
    [
      'alg none (unsigned)',
      () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: claims.sub, sid: claims.sid, role: 'admin', iss: h.config.JWT_ISSUER, aud: h.config.JWT_AUDIENCE, iat: now(), exp: now() + 300 })}.`,
    ],
    ['HS512 with the right secret (algorithm not pinned)', () => forge({}, { algorithm: 'HS512' })],
    ['RS256 signed with an attacker key', () => forge({}, { algorithm: 'RS256' }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)],
    ['HS256 signed with another secret', () => forge({}, {}, 'another-secret-that-is-long-enough-0123456789')],
    ['a foreign issuer', () => forge({}, { issuer: 'https://evil.example' })],
    ['a foreign audience', () => forge({}, { audience: 'another-api' })],
    ['an expired token', () => forge({ exp: now() - 5 }, { expiresIn: undefined })],
    ['a token not valid before a future time (nbf)', () => forge({}, { notBefore: 600 })],
    [
      'a tampered signature',
      () => {
        const t = forge();
        const [h1, p, s] = t.split('.') as [string, string, string];
        return `${h1}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
      },
    ],
    [
      'a tampered payload (role raised to admin, signature kept)',
      () => {
        const [h1, , s] = forge().split('.') as [string, string, string];
        return `${h1}.${b64({ sub: claims.sub, sid: claims.sid, role: 'admin', iss: h.config.JWT_ISSUER, aud: h.config.JWT_AUDIENCE, iat: now(), exp: now() + 300 })}.${s}`;
      },
    ],
    ['a token without exp', () => forge({}, { expiresIn: undefined })],
    [
      'a token without sid',
      () =>
        jwt.sign({ role: 'user' }, h.config.JWT_SECRET!, {
          algorithm: 'HS256',
          subject: claims.sub,
          issuer: h.config.JWT_ISSUER,
          audience: h.config.JWT_AUDIENCE,
          expiresIn: 300,
        }),
    ],
    ['a validly signed token naming a session that was never issued', () => forge({ sid: randomUUID() })],
    ['a validly signed token naming another user for this session', () => forge({}, { subject: randomUUID() })],
  ];
  for (const [what, token] of refusals) {
    it(`when the access token is ${what}, then 401 unauthorized`, async () => {
      const res = await me(token());
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'unauthorized');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    });
  }

  it('when a validly signed token claims the admin role, then the role comes from the database and admin routes answer 403', async () => {
    const res = await h.api.call('GET', '/v1/admin/users', { token: forge({ role: 'admin' }) });
    assert.equal(res.status, 403);
  });

  it('when an access TTL above 24 h is configured, then the configuration is refused naming JWT_ACCESS_TTL', () => {
    assert.throws(
      () => loadConfig('gateway', testEnv('ttl', { JWT_ACCESS_TTL: '86401' })),
      (err: ConfigError) => err.problems.some((p) => p.startsWith('JWT_ACCESS_TTL')),
    );
    assert.equal(loadConfig('gateway', testEnv('ttl', {})).JWT_ACCESS_TTL, 900, 'default 15 minutes');
  });
});

describe('API2:2023 Broken Authentication: RS256 with key files (optional algorithm)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let publicPem: string;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pressroom-keys-'));
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    publicPem = pair.publicKey;
    writeFileSync(join(dir, 'jwt.key'), pair.privateKey, { mode: 0o600 });
    writeFileSync(join(dir, 'jwt.pub'), pair.publicKey);
    h = await startTestGateway(
      { JWT_ALGORITHM: 'RS256', JWT_SECRET: '', JWT_PRIVATE_KEY_FILE: join(dir, 'jwt.key'), JWT_PUBLIC_KEY_FILE: join(dir, 'jwt.pub') },
      'secrs',
    );
  });
  after(() => h.close());

  it('when JWT_ALGORITHM=RS256, then tokens are RS256-signed and an HS256 token keyed with the public key (algorithm confusion) is 401', async () => {
    const u = await h.api.registerAndLogin();
    const decoded = jwt.decode(u.access, { complete: true });
    assert.equal(decoded?.header.alg, 'RS256');
    assert.equal((await h.api.call('GET', '/v1/me', { token: u.access })).status, 200);
    const payload = decoded!.payload as jwt.JwtPayload;
    const confused = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha256', publicPem).update(confused).digest('base64url');
    assert.equal((await h.api.call('GET', '/v1/me', { token: `${confused}.${sig}` })).status, 401);
  });

  it('when RS256 is chosen without usable keys, then the gateway refuses to start and names them', () => {
    assert.throws(
      () => loadConfig('gateway', testEnv('rs', { JWT_ALGORITHM: 'RS256', JWT_SECRET: '' })),
      (err: ConfigError) => err.problems.some((p) => p.startsWith('JWT_PRIVATE_KEY')) && err.problems.some((p) => p.startsWith('JWT_PUBLIC_KEY')),
    );
    assert.throws(
      () => loadConfig('gateway', testEnv('rs', { JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: 'not a key', JWT_PUBLIC_KEY: publicPem })),
      (err: ConfigError) => err.problems.some((p) => /JWT_PRIVATE_KEY is not a PEM/.test(p)),
    );
  });
});
