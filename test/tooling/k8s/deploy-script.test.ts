import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEPLOY = join(import.meta.dirname, '..', '..', '..', 'deploy', 'k8s', 'deploy.sh');

// kubectl stood in for by a script: `kustomize` renders for real (the overlays as they are), anything else is
// only recorded, so nothing reaches a cluster.
describe('deploy/k8s/deploy.sh', () => {
  let bin: string;
  before(() => {
    bin = mkdtempSync(join(tmpdir(), 'pressroom-deploy-'));
    writeFileSync(
      join(bin, 'kubectl'),
      '#!/usr/bin/env bash\nif [[ "$1" == kustomize ]]; then exec /usr/bin/kubectl "$@"; fi\necho "kubectl $*" >> "$KUBECTL_LOG"\n',
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  const run = (overlay: string, env: Record<string, string> = {}) =>
    spawnSync('bash', [DEPLOY, overlay], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: `${bin}:/usr/bin:/bin`, KUBECTL_LOG: join(bin, 'calls.log'), ...env },
    });

  it('when an overlay still names placeholder hosts, then it refuses before applying anything and lists them', () => {
    writeFileSync(join(bin, 'calls.log'), '');
    const refused = run('production');
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    for (const host of ['registry.example.com', 'smtp.example.com', 'alerts.example.com', 'hooks.pressroom.invalid', 'example.com'])
      assert.match(refused.stderr, new RegExp(`^  ${host.replaceAll('.', '\\.')}$`, 'm'));
    assert.equal(readFileSync(join(bin, 'calls.log'), 'utf8'), '', 'no kubectl call but the render');
  });

  it('when ALLOW_PLACEHOLDERS=1, then a dry run applies in its three steps', () => {
    writeFileSync(join(bin, 'calls.log'), '');
    const dry = run('staging', { ALLOW_PLACEHOLDERS: '1', DRY_RUN: '1' });
    assert.equal(dry.status, 0, dry.stdout + dry.stderr);
    const applies = readFileSync(join(bin, 'calls.log'), 'utf8').trim().split('\n');
    assert.equal(applies.length, 3);
    assert.ok(applies.every((a) => a.startsWith('kubectl apply --dry-run=server -f ')));
  });
});
