import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { BASE_URLS } from '@pressroom/test-support';
import { captureLogs, startTestGateway } from '../support/gateway-harness.ts';

const ADMIN = { email: 'admin@dump.test', password: 'bootstrap admin secret pw' };

/** Every row of every table, with binary columns spelled every way a token could hide in them. */
async function dumpDatabase(db: { query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }> }) {
  const { rows: tables } = await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
  const dump: Record<string, Record<string, unknown>[]> = {};
  for (const { table_name } of tables as Array<{ table_name: string }>) dump[table_name] = (await db.query(`SELECT * FROM "${table_name}"`)).rows;
  const text = JSON.stringify(dump, (_k, v: unknown) => {
    const b = v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data) : undefined;
    return b ? [b.toString('hex'), b.toString('base64'), b.toString('base64url'), b.toString('utf8')].join(' ') : v;
  });
  return { dump, text };
}

async function dumpRedis(prefix: string): Promise<string> {
  const redis = new Redis(BASE_URLS.redis);
  try {
    const keys = await redis.keys(`${prefix}*`);
    const values = await Promise.all(keys.map(async (k) => ((await redis.type(k)) === 'string' ? redis.get(k) : '')));
    return JSON.stringify({ keys, values });
  } finally {
    redis.disconnect();
  }
}

describe('API2:2023 Broken Authentication: no plaintext token or password at rest or in logs', () => {
  const logs = captureLogs('debug');
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    // No grace window, so presenting the spent token again below revokes the family at once.
    h = await startTestGateway({ BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, REFRESH_REUSE_GRACE_S: '0' }, 'secdump', {
      logger: logs.logger,
    });
  });
  after(() => h.close());

  it('when a full auth flow has run, then no table, Redis key or log line holds any of its tokens or passwords', async () => {
    const secrets: string[] = [ADMIN.password, h.config.JWT_SECRET!];
    const keep = <T extends Record<string, unknown>>(body: T) => {
      for (const k of ['access_token', 'refresh_token']) if (typeof body[k] === 'string') secrets.push(body[k] as string);
      return body;
    };
    const call = h.api.call;
    const email = 'dump.user@example.com';
    const password = 'first secret password';
    const password2 = 'second secret password';
    const wrong = 'a wrong guess password';
    secrets.push(password, password2, wrong);

    assert.equal((await call('POST', '/v1/auth/register', { body: { email, password } })).status, 201);
    assert.equal((await call('POST', '/v1/auth/login', { body: { email, password: wrong } })).status, 401);
    const first = keep((await call('POST', '/v1/auth/login', { body: { email, password } })).body);
    const rotated = keep((await call('POST', '/v1/auth/refresh', { body: { refresh_token: first.refresh_token } })).body);
    assert.equal((await call('POST', '/v1/auth/refresh', { body: { refresh_token: first.refresh_token } })).status, 401, 'reuse revokes the family');
    assert.equal((await call('GET', '/v1/me', { token: rotated.access_token })).status, 401);
    const second = keep((await call('POST', '/v1/auth/login', { body: { email, password } })).body);
    const other = keep((await call('POST', '/v1/auth/login', { body: { email, password } })).body);
    assert.equal((await call('GET', '/v1/me', { token: second.access_token })).status, 200);
    assert.equal(
      (await call('POST', '/v1/auth/password', { token: second.access_token, body: { current_password: wrong, new_password: password2 } })).status,
      400,
    );
    assert.equal(
      (await call('POST', '/v1/auth/password', { token: second.access_token, body: { current_password: password, new_password: password2 } })).status,
      204,
    );
    assert.equal((await call('GET', '/v1/me', { token: other.access_token })).status, 401);
    const third = keep((await call('POST', '/v1/auth/login', { body: { email, password: password2 } })).body);
    assert.equal(
      (await call('POST', '/v1/requests', { token: third.access_token, body: { topic: 'secrets at rest' }, headers: { 'idempotency-key': 'dump-1' } })).status,
      202,
    );
    const admin = keep((await call('POST', '/v1/auth/login', { body: ADMIN })).body);
    const userId = (await call('GET', '/v1/me', { token: third.access_token })).body.id;
    assert.equal((await call('PATCH', `/v1/admin/users/${userId}`, { token: admin.access_token, body: { daily_quota: 7 } })).status, 200);
    assert.equal((await call('GET', '/v1/admin/users', { token: admin.access_token })).status, 200);
    assert.equal((await call('POST', '/v1/auth/logout', { token: third.access_token })).status, 204);
    assert.equal((await call('GET', '/v1/me', { token: `${third.access_token.slice(0, -4)}AAAA` })).status, 401);
    // Signature segments too: a log that kept half a token would still leak its signature.
    for (const s of [...secrets]) if (s.split('.').length === 3) secrets.push(s.split('.')[2]!);

    const { dump, text: db } = await dumpDatabase(h.gateway.deps.db);
    const redis = await dumpRedis(h.config.REDIS_KEY_PREFIX);
    const log = logs.lines.join('');
    assert.ok(logs.lines.length > 5, 'the flow was logged');
    assert.match(log, /"event":"auth.refresh_reused"/);
    for (const secret of secrets) {
      assert.ok(!db.includes(secret), `the database holds a plaintext secret (${secret.slice(0, 6)}…)`);
      assert.ok(!redis.includes(secret), `Redis holds a plaintext secret (${secret.slice(0, 6)}…)`);
      assert.ok(!log.includes(secret), `a log line holds a plaintext secret (${secret.slice(0, 6)}…)`);
    }

    // What is there instead: argon2id hashes and SHA-256 digests of refresh tokens.
    const users = dump['users'] as Array<{ email: string; password_hash: string }>;
    assert.ok(users.every((u) => u.password_hash.startsWith('$argon2id$')));
    const stored = new Set((dump['user_sessions'] as Array<{ refresh_token_hash: Buffer }>).map((r) => Buffer.from(r.refresh_token_hash).toString('hex')));
    for (const body of [first, rotated, second, other, third])
      assert.ok(
        stored.has(
          createHash('sha256')
            .update(body.refresh_token as string)
            .digest('hex'),
        ),
      );
  });
});
