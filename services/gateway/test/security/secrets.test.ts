import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, ConfigSchema, SECRET_SETTINGS, loadConfig } from '@pressroom/config';
import { testEnv } from '@pressroom/test-support';
import { captureLogs } from '../support/gateway-harness.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const example = parseEnv(readFileSync(join(root, '.env.example'), 'utf8')) as Record<string, string>;
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

/** A value each secret setting accepts, so that only the way it arrives is under test. */
const SAMPLE: Record<(typeof SECRET_SETTINGS)[number], string> = {
  JWT_SECRET: 'k3Jd9Qx1vLp0Zr8Tw2Yh5Nc7Bm4Gs6Fa+file',
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nfile\n-----END PRIVATE KEY-----',
  JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nfile\n-----END PUBLIC KEY-----',
  BOOTSTRAP_ADMIN_PASSWORD: 'a mounted admin password',
  DATABASE_URL: 'postgres://app@db.internal:5432/pressroom',
  RABBITMQ_URL: 'amqp://app:s3cr3t@mq.internal:5672',
  REDIS_URL: 'redis://:s3cr3t@cache.internal:6379',
  LLM_API_KEY: 'sk-mounted-key-0123456789',
  GOOGLE_API_KEY: 'AIzaMountedKey0123456789',
  SERPER_API_KEY: 'serper-mounted-key-0123',
  BRAVE_API_KEY: 'brave-mounted-key-0123',
  WEBHOOK_SIGNING_SECRET: 'w9Hs2Kd8Lq4Pz7Xv1Ct6Bn3Mf5Gj0Ra+file',
  WORDPRESS_APP_PASSWORD: 'abcd efgh ijkl mnop',
  ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.test/services/T000/B000/mounted',
  ALERT_WEBHOOK_URL: 'https://alerts.internal.test/hook',
  ALERT_WEBHOOK_SECRET: 'whsec_YSBtb3VudGVkIGFsZXJ0IHdlYmhvb2sgc2VjcmV0ISE=',
  SMTP_URL: 'smtp://user:s3cr3t@smtp.internal.test:587',
};

describe('API8:2023 Security Misconfiguration: secrets', () => {
  it('when any secret setting is given as <NAME>_FILE, then it is read from that file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pressroom-secrets-'));
    for (const name of SECRET_SETTINGS) {
      const file = join(dir, name);
      writeFileSync(file, `${SAMPLE[name]}\n`, { mode: 0o600 });
      const env = testEnv('sec', { [name]: '', [`${name}_FILE`]: file, BOOTSTRAP_ADMIN_EMAIL: 'admin@secrets.test' });
      assert.equal(loadConfig('cli', env)[name], SAMPLE[name], name);
    }
    assert.deepEqual(
      problemsOf(() => loadConfig('cli', testEnv('sec', { JWT_SECRET_FILE: join(dir, 'JWT_SECRET') }))),
      ['JWT_SECRET and JWT_SECRET_FILE are both set; set only one'],
    );
    assert.deepEqual(
      problemsOf(() => loadConfig('cli', testEnv('sec', { JWT_SECRET: '', JWT_SECRET_FILE: join(dir, 'missing') }))),
      [`JWT_SECRET_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`],
    );
  });

  it('when JWT_SECRET or WEBHOOK_SIGNING_SECRET is missing, short or a placeholder, then the service refuses to start and names it, without echoing it', () => {
    for (const [service, name] of [
      ['gateway', 'JWT_SECRET'],
      ['publisher', 'WEBHOOK_SIGNING_SECRET'],
    ] as const) {
      for (const value of ['', 'too-short-secret', 'changeme-changeme-changeme-changeme-1234', 'replace-with-at-least-32-random-bytes-please']) {
        const problems = problemsOf(() => loadConfig(service, testEnv('sec', { [name]: value })));
        assert.ok(
          problems.some((p) => p.startsWith(name)),
          `${service} ${name}=${value}: ${problems.join('; ')}`,
        );
        if (value) assert.ok(!problems.join(' ').includes(value), 'the bad value is not printed');
      }
    }
  });

  it('when the services load the values of .env.example, then gateway and publisher refuse them, naming the placeholders', () => {
    const gateway = problemsOf(() => loadConfig('gateway', example));
    assert.ok(
      gateway.some((p) => p.startsWith('JWT_SECRET is a placeholder')),
      gateway.join('; '),
    );
    assert.ok(
      gateway.some((p) => p.startsWith('BOOTSTRAP_ADMIN_PASSWORD is a placeholder')),
      gateway.join('; '),
    );
    const publisher = problemsOf(() => loadConfig('publisher', example));
    assert.ok(
      publisher.some((p) => p.startsWith('WEBHOOK_SIGNING_SECRET is a placeholder')),
      publisher.join('; '),
    );
    const llm = problemsOf(() => loadConfig('llm', { ...example, LLM_PROVIDER: 'openai' }));
    assert.ok(
      llm.some((p) => p.startsWith('LLM_API_KEY is a placeholder')),
      llm.join('; '),
    );
  });

  it('when the gateway process starts with .env.example as its .env, then it exits 78 and says why', () => {
    const run = spawnSync(process.execPath, [join(root, 'services', 'gateway', 'src', 'main.ts')], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: join(root, '.env.example') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(run.status, 78, run.stderr);
    assert.match(run.stderr, /refusing to start/);
    assert.match(run.stderr, /JWT_SECRET is a placeholder/);
  });

  it('when .env.example is read, then it documents every setting of the config schema', () => {
    const text = readFileSync(join(root, '.env.example'), 'utf8');
    const missing = Object.keys(ConfigSchema.properties).filter((k) => !new RegExp(`^#?\\s*${k}(_FILE)?=`, 'm').test(text));
    assert.deepEqual(missing, []);
  });

  it('when git looks at .env files, then .env (and .env.*) are ignored in every folder and only .env.example is kept', () => {
    // --no-index: the ignore rules themselves, whether or not a file is tracked.
    const ignored = (path: string) => spawnSync('git', ['check-ignore', '--no-index', '--quiet', path], { cwd: root }).status === 0;
    for (const path of ['.env', '.env.local', '.env.production', 'services/gateway/.env']) assert.ok(ignored(path), `${path} is ignored`);
    assert.equal(ignored('.env.example'), false, '.env.example is kept');
  });

  it('when a log line carries authorization headers, passwords, tokens or API keys, then they are redacted', () => {
    const logs = captureLogs('info');
    const s = (n: number) => `leak-${n}-${'x'.repeat(12)}`;
    logs.logger.info(
      {
        req: { headers: { authorization: `Bearer ${s(1)}`, cookie: `sid=${s(2)}` } },
        headers: { authorization: `Basic ${s(3)}`, 'x-api-key': s(4) },
        password: s(5),
        body: { password: s(6), current_password: s(7), new_password: s(8), refresh_token: s(9), access_token: s(10) },
        token: s(11),
        api_key: s(12),
        apiKey: s(13),
        secret: s(14),
        provider: { api_key: s(15), token: s(16) },
      },
      'request with secrets',
    );
    const out = logs.lines.join('');
    assert.match(out, /\[redacted\]/);
    for (let i = 1; i <= 16; i++) assert.ok(!out.includes(s(i)), `secret ${i} leaked: ${out}`);
  });

  it('when the secrets script scans a tree holding a token, then it fails naming the file; placeholders and ignored folders pass', () => {
    // A copy of what `pnpm secrets` sees: the repository's config and ignore file, the script's own command.
    const dir = mkdtempSync(join(tmpdir(), 'pressroom-secretlint-'));
    for (const file of ['.secretlintrc.json', '.secretlintignore']) copyFileSync(join(root, file), join(dir, file));
    const token = `ghp${'_'}${'a1B2c3D4'.repeat(4)}e5F6`; // built here so that the scan of this file finds nothing
    writeFileSync(join(dir, 'settings.env'), 'DATABASE_URL=postgres://app:<PASSWORD>@db.internal:5432/pressroom\n');
    mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'dep', 'vendored.env'), `TOKEN=${token}\n`);
    const scan = () => {
      const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { secrets: string } }).scripts.secrets;
      const path = `${join(root, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`;
      return spawnSync('sh', ['-c', script], { cwd: dir, env: { ...process.env, PATH: path }, encoding: 'utf8', timeout: 60_000 });
    };
    const clean = scan();
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);

    writeFileSync(join(dir, 'leak.env'), `GITHUB_TOKEN=${token}\n`);
    const leak = scan();
    assert.equal(leak.status, 1, leak.stdout + leak.stderr);
    assert.match(leak.stdout, /leak\.env[\s\S]*GitHub Token/);
    assert.ok(!`${leak.stdout}${leak.stderr}`.includes(token), 'the token itself is masked');
    assert.ok(!leak.stdout.includes('vendored.env'), 'node_modules is not scanned');
    rmSync(dir, { recursive: true, force: true });
  });
});
