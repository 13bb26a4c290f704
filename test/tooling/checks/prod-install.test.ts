import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { explainBootFailure, manifestFiles } from '../../../scripts/checks/prod-install.ts';
import { tree } from './temp-tree.ts';

const WORK = '/tmp/pressroom-prod-install.abc123';

describe('the production install check', () => {
  it('when the tree is read, then the manifests stage holds the root manifests and every package.json outside node_modules', () => {
    const root = tree({
      'package.json': '{}',
      'pnpm-lock.yaml': '',
      'pnpm-workspace.yaml': '',
      'libs/config/package.json': '{}',
      'libs/config/src/index.ts': '',
      'services/gateway/package.json': '{}',
      'services/gateway/node_modules/dep/package.json': '{}',
      'node_modules/yaml/package.json': '{}',
    });
    assert.deepEqual(manifestFiles(root), [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'libs/config/package.json',
      'services/gateway/package.json',
    ]);
  });

  it('when a service imports a package its package.json lists only as a devDependency, then the package.json to fix is named', () => {
    const output = `node:internal/modules/esm/resolve:873\nError [ERR_MODULE_NOT_FOUND]: Cannot find package 'pino-pretty' imported from ${WORK}/libs/logger/src/logger.ts\n`;
    assert.deepEqual(explainBootFailure('gateway', output, WORK), [
      "gateway: after 'pnpm install --prod', libs/logger/src/logger.ts imports 'pino-pretty', which does not resolve.",
      'Declare it under "dependencies" (not devDependencies) in libs/logger/package.json and run pnpm install.',
    ]);
  });

  it('when a source file is missing from the copy, then it says so instead of blaming a package.json', () => {
    const output = `Error [ERR_MODULE_NOT_FOUND]: Cannot find module '${WORK}/services/llm/src/gone.ts' imported from ${WORK}/services/llm/src/main.ts\n`;
    assert.deepEqual(explainBootFailure('llm', output, WORK), [
      "llm: after 'pnpm install --prod', services/llm/src/main.ts imports 'services/llm/src/gone.ts', which does not resolve.",
      'The file is missing from the copied sources (is it ignored or untracked by mistake?).',
    ]);
  });

  it("when the boot fails for another reason, then node's output is shown, without the temporary folder's path", () => {
    assert.deepEqual(explainBootFailure('research', `config: RESEARCH_PORT must be a number (${WORK}/x)\n`, WORK), [
      "research: 'node services/research/src/main.ts --check-config' did not exit 0 after a production install:",
      '  config: RESEARCH_PORT must be a number (x)',
    ]);
  });
});
