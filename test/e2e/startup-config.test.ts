import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

async function start(service: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'services', service, 'src', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: '/nonexistent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr };
}

describe('start-up configuration', () => {
  for (const service of ['gateway', 'research', 'llm', 'publisher']) {
    it(`when ${service} gets invalid settings, then it refuses to start and names every one`, async () => {
      const { code, stderr } = await start(service, {
        GATEWAY_PORT: 'eighty',
        RESEARCH_PORT: '0',
        LLM_PORT: 'x',
        PUBLISHER_PORT: '-1',
        LOG_LEVEL: 'loud',
        RETRY_MAX_ATTEMPTS: 'many',
      });
      assert.equal(code, 78, stderr);
      assert.match(stderr, new RegExp(`^${service}: refusing to start, invalid configuration`));
      for (const name of ['GATEWAY_PORT', 'RESEARCH_PORT', 'LLM_PORT', 'PUBLISHER_PORT', 'LOG_LEVEL', 'RETRY_MAX_ATTEMPTS'])
        assert.match(stderr, new RegExp(`- ${name} `));
    });
  }

  it('when the gateway has no JWT_SECRET, a short one or a placeholder, then it says which', async () => {
    assert.match((await start('gateway', {})).stderr, /JWT_SECRET is required/);
    assert.match((await start('gateway', { JWT_SECRET: 'too-short' })).stderr, /JWT_SECRET must be at least 32 bytes/);
    assert.match((await start('gateway', { JWT_SECRET: 'replace-with-at-least-32-random-bytes' })).stderr, /JWT_SECRET is a placeholder/);
  });

  it('when research is set to a web provider without its key, then it names the missing key', async () => {
    const { code, stderr } = await start('research', { SEARCH_PROVIDER: 'brave' });
    assert.equal(code, 78);
    assert.match(stderr, /BRAVE_API_KEY is required when SEARCH_PROVIDER=brave/);
  });

  it('when the publisher has no webhook signing secret, then it refuses to start', async () => {
    const { code, stderr } = await start('publisher', {});
    assert.equal(code, 78);
    assert.match(stderr, /WEBHOOK_SIGNING_SECRET is required/);
  });
});
