import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

const CHECK = join(import.meta.dirname, '..', '..', '..', 'deploy', 'k8s', 'tools', 'check.ts');

describe('node deploy/k8s/tools/check.ts', () => {
  it('when kubectl is not on PATH, then it fails at once and says to install kubectl', () => {
    const run = spawnSync(process.execPath, [CHECK], { encoding: 'utf8', env: { PATH: dirname(process.execPath) }, timeout: 30_000 });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /FAIL {2}kubectl is not on PATH: the manifests are rendered with `kubectl kustomize`.*Install kubectl/);
    assert.match(run.stdout, /kubernetes manifests: 1 check\(s\) failed/);
  });
});
