import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findTool, SHELLCHECK } from '../../../scripts/checks/debian-tool.ts';
import { bashSyntax, executable, shellcheck, shellScripts } from '../../../scripts/checks/shell-scripts.ts';
import { tree } from './temp-tree.ts';

describe('shell script checks', () => {
  it('when the tree has .ci/run, scripts and deploy scripts, then all of them are checked and nothing else', () => {
    const root = tree({ '.ci/run': '#!/usr/bin/env bash\n', 'scripts/a.sh': '', 'scripts/a.ts': '', 'deploy/k8s/deploy.sh': '', 'docs/b.sh': '' });
    assert.deepEqual(shellScripts(root), ['.ci/run', 'deploy/k8s/deploy.sh', 'scripts/a.sh']);
  });

  it('when a script does not parse, then bash -n names the line', () => {
    const root = tree({ 'scripts/ok.sh': 'echo ok\n', 'scripts/broken.sh': 'if true; then\n  echo no fi\n' });
    assert.deepEqual(bashSyntax(root, 'scripts/ok.sh'), []);
    assert.match(bashSyntax(root, 'scripts/broken.sh').join('\n'), /scripts\/broken\.sh: line \d+: syntax error/);
  });

  it('when a script may carry on in the wrong folder after a failed cd, then shellcheck warns; a clean script passes', () => {
    const root = tree({
      'scripts/clean.sh': '#!/usr/bin/env bash\ncd "$1" || exit 1\nrm -f ./*.log\n',
      'scripts/sloppy.sh': '#!/usr/bin/env bash\ncd "$1"\nrm -f ./*.log\n',
    });
    const binary = findTool(SHELLCHECK, { fetch: true })!;
    assert.deepEqual(shellcheck(binary, root, ['scripts/clean.sh']), []);
    assert.match(shellcheck(binary, root, ['scripts/sloppy.sh']).join('\n'), /^scripts\/sloppy\.sh:2:1: warning: .*\[SC2164\]$/);
  });

  it('when .ci/run loses its executable bit, then it is named', () => {
    assert.deepEqual(executable(tree({ '.ci/run': '' }, ['.ci/run']), '.ci/run'), []);
    assert.deepEqual(executable(tree({ '.ci/run': '' }), '.ci/run'), ['.ci/run is not executable (chmod +x .ci/run)']);
  });
});
