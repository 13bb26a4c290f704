import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '@pressroom/test-support';

const root = join(import.meta.dirname, '..', '..');

async function checkConfig(service: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'services', service, 'src', 'main.ts'), '--check-config'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe('--check-config (what scripts/check-prod-install.ts runs after a production install)', () => {
  for (const service of ['gateway', 'research', 'llm', 'publisher']) {
    it(`when ${service} is given valid settings and no reachable dependency, then it loads every module and exits 0 without connecting`, async () => {
      // Every dependency on a closed port: a service that tried to connect would wait STARTUP_WAIT_S, not exit 0.
      const closed = `127.0.0.1:${await freePort()}`;
      const { code, stdout, stderr } = await checkConfig(service, {
        NODE_ENV: 'production',
        JWT_SECRET: randomBytes(48).toString('base64'),
        WEBHOOK_SIGNING_SECRET: randomBytes(48).toString('base64'),
        DATABASE_URL: `postgres://postgres@${closed}/pressroom`,
        REDIS_URL: `redis://${closed}`,
        RABBITMQ_URL: `amqp://guest:guest@${closed}`,
        STARTUP_WAIT_S: '30',
      });
      assert.equal(code, 0, stderr);
      assert.equal(stdout, `${service}: configuration valid and every module loaded (--check-config); nothing was started\n`);
    });
  }

  it('when the settings are invalid, then --check-config refuses like a real start', async () => {
    const { code, stderr } = await checkConfig('gateway', { JWT_SECRET: 'too-short' });
    assert.equal(code, 78);
    assert.match(stderr, /JWT_SECRET must be at least 32 bytes/);
  });
});
