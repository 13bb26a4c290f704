import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sinksFromConfig } from '@pressroom/alerts';
import { verifyStandardWebhook } from '@pressroom/resilience';
import { startHttpStub, type HttpStub } from '@pressroom/test-support';

const root = join(import.meta.dirname, '..', '..');
const CLI = join(root, 'scripts', 'cli.ts');

/** The CLI as an operator runs it, with no `.env` and only the environment given. */
function alertWebhookSecret(env: Record<string, string>, args: string[] = []) {
  const run = spawnSync(process.execPath, [CLI, 'alert-webhook-secret', ...args], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: '/nonexistent', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('pressroom alert-webhook-secret: the key the alert receiver verifies with', () => {
  let hook: HttpStub;
  const dir = mkdtempSync(join(tmpdir(), 'alert-secret-'));

  before(async () => {
    hook = await startHttpStub(() => ({ status: 204 }));
  });

  after(async () => {
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function deliveryWith(config: Record<string, string>) {
    const [sink] = sinksFromConfig({ ALERT_WEBHOOK_URL: `${hook.url}/alerts`, ...config });
    const seen = hook.requests.length;
    await sink!.send(
      {
        kind: 'dead_letter',
        severity: 'warning',
        summary: 'a task was dead-lettered',
        service: 'publisher',
        instance: 'p-1',
        time: new Date().toISOString(),
        suppressed: 0,
        cooldown_s: 300,
      },
      AbortSignal.timeout(5000),
    );
    return hook.requests[seen]!;
  }

  it("when the receiver is configured with what it prints, then the services' alert deliveries verify, and not with the master key", async () => {
    const master = randomBytes(48).toString('base64');
    const r = alertWebhookSecret({ WEBHOOK_SIGNING_SECRET: master });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^whsec_[A-Za-z0-9+/]+={0,2}\n$/);
    assert.match(r.stderr, /derived from WEBHOOK_SIGNING_SECRET/);
    assert.ok(!r.stdout.includes(master) && !r.stderr.includes(master), 'the master key is never printed');

    const req = await deliveryWith({ WEBHOOK_SIGNING_SECRET: master });
    assert.equal(verifyStandardWebhook(r.stdout.trim(), req.body, req.headers), true);
    assert.equal(verifyStandardWebhook(master, req.body, req.headers), false);
  });

  it('when ALERT_WEBHOOK_SECRET comes from a mounted file, then that is what it prints', () => {
    const explicit = `whsec_${randomBytes(32).toString('base64')}`;
    writeFileSync(join(dir, 'alert'), `${explicit}\n`);
    const r = alertWebhookSecret({ ALERT_WEBHOOK_SECRET_FILE: join(dir, 'alert'), WEBHOOK_SIGNING_SECRET: randomBytes(48).toString('base64') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${explicit}\n`);
    assert.match(r.stderr, /\(ALERT_WEBHOOK_SECRET;/);
  });

  it('when neither secret is set, or ALERT_WEBHOOK_SECRET is malformed, then it exits 1 naming the setting and prints no secret', () => {
    const none = alertWebhookSecret({});
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /neither ALERT_WEBHOOK_SECRET nor WEBHOOK_SIGNING_SECRET is set/);

    for (const bad of ['not-a-whsec-value-at-all', `whsec_${randomBytes(8).toString('base64')}`]) {
      const r = alertWebhookSecret({ ALERT_WEBHOOK_SECRET: bad });
      assert.equal(r.code, 1, bad);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /ALERT_WEBHOOK_SECRET/);
      assert.ok(!r.stderr.includes(bad), 'the bad value is not echoed');
    }
  });

  it('when given --url, then it is a usage error: the command calls no gateway', () => {
    const r = alertWebhookSecret({}, ['--url', 'http://127.0.0.1:8080']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: pressroom alert-webhook-secret/);
  });
});
