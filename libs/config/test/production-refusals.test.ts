import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');

const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
  JWT_SECRET: randomBytes(48).toString('base64'),
  WEBHOOK_SIGNING_SECRET: randomBytes(48).toString('base64'),
  ...overrides,
});

const UNSAFE = { ALLOW_PRIVATE_TARGETS: 'true', RABBITMQ_URL: 'amqp://guest:guest@rabbitmq.internal:5672', CORS_ORIGINS: '*' };

function problemsOf(service: Parameters<typeof loadConfig>[0], vars: Record<string, string>): string[] {
  try {
    loadConfig(service, vars);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
}

describe('production refuses unsafe settings (libs/config)', () => {
  it('when NODE_ENV=production with the private-target allowance, guest RabbitMQ credentials on a remote host and a wildcard CORS origin, then every one is named', () => {
    const problems = problemsOf('gateway', env({ NODE_ENV: 'production', ...UNSAFE }));
    for (const name of ['ALLOW_PRIVATE_TARGETS', 'RABBITMQ_URL', 'CORS_ORIGINS'])
      assert.ok(
        problems.some((p) => p.startsWith(name)),
        `${name} named in:\n${problems.join('\n')}`,
      );
    assert.ok(!problems.join('\n').includes('guest:guest'), 'the URL itself is not printed');
  });

  it('when a worker runs with NODE_ENV=production and ALLOW_PRIVATE_TARGETS=true, then it is refused too', () => {
    const problems = problemsOf('research', env({ NODE_ENV: 'production', ALLOW_PRIVATE_TARGETS: 'true' }));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^ALLOW_PRIVATE_TARGETS=true .*tests.*NODE_ENV=production/);
  });

  it('when guest credentials point at a loopback broker in production, or the allowance is set outside production, then start-up goes on', () => {
    assert.deepEqual(problemsOf('publisher', env({ NODE_ENV: 'production', RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672' })), []);
    assert.deepEqual(problemsOf('publisher', env({ NODE_ENV: 'production', RABBITMQ_URL: 'amqp://guest:guest@localhost' })), []);
    assert.deepEqual(problemsOf('research', env({ NODE_ENV: 'test', ALLOW_PRIVATE_TARGETS: 'true', RABBITMQ_URL: UNSAFE.RABBITMQ_URL })), []);
  });

  it('when the gateway process starts in production with all three, then it exits 78 naming each setting', async () => {
    const child = spawn(process.execPath, [join(root, 'services', 'gateway', 'src', 'main.ts')], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: '/nonexistent', ...env({ NODE_ENV: 'production', ...UNSAFE }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 78, stderr);
    for (const name of ['ALLOW_PRIVATE_TARGETS', 'RABBITMQ_URL', 'CORS_ORIGINS']) assert.match(stderr, new RegExp(`- ${name}`));
  });
});
