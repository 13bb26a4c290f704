import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tree } from './temp-tree.ts';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'check-boundaries.ts');
const check = (root: string) => {
  const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, PRESSROOM_ROOT: root }, timeout: 20_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};

describe('layer boundaries (scripts/check-boundaries.ts)', () => {
  it('when libs stay generic and each metric is declared once, then the boundaries hold', () => {
    const root = tree({
      'libs/runtime/src/alerts.ts': 'export const name = (provider: string) => `the ${provider} provider`;\n',
      'libs/contracts/src/stages.ts': "export const first = (stage: string) => stage === 'research';\n",
      'libs/telemetry/src/metrics.ts': "export const tasks = { name: 'pressroom_tasks_total' };\n",
      'services/llm/src/write-handler.ts': "export const ALERTING = { provider: 'LLM' }; export const breaker = 'llm:openai';\n",
    });
    assert.deepEqual(check(root), { status: 0, output: 'layer boundaries hold\n' });
  });

  it("when a lib decides by a stage's name, names a service's breaker, or a metric is declared twice, then each is named and the check fails", () => {
    const root = tree({
      'libs/runtime/src/alerts.ts': "export const what = (stage: string) => (stage === 'write' ? 'LLM' : 'search');\nexport const key = `fetch:${'host'}`;\n",
      'libs/telemetry/src/metrics.ts': "export const tasks = { name: 'pressroom_tasks_total' };\n",
      'services/gateway/src/metrics.ts': "export const again = { name: 'pressroom_tasks_total' };\n",
    });
    const { status, output } = check(root);
    assert.equal(status, 1);
    assert.match(output, /libs\/runtime\/src\/alerts\.ts:1: a lib decides by a stage's name/);
    assert.match(output, /libs\/runtime\/src\/alerts\.ts:2: a lib names a service's breaker/);
    assert.match(
      output,
      /metric pressroom_tasks_total is declared in 2 files \(libs\/telemetry\/src\/metrics\.ts, services\/gateway\/src\/metrics\.ts\)|metric pressroom_tasks_total is declared in 2 files \(services\/gateway\/src\/metrics\.ts, libs\/telemetry\/src\/metrics\.ts\)/,
    );
  });

  it('when a worker imports the database layer or a lib imports a service, then both are named', () => {
    const root = tree({
      'services/research/src/handler.ts': "import pg from 'pg';\nexport default pg;\n",
      'libs/runtime/src/host.ts': "import { x } from '@pressroom/gateway';\nexport default x;\n",
    });
    const { status, output } = check(root);
    assert.equal(status, 1);
    assert.match(output, /the research worker must not touch the database layer \(imports pg\)/);
    assert.match(output, /a lib must not import a service \(@pressroom\/gateway\)/);
  });
});
