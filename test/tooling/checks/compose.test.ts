import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { composeProblems } from '../../../scripts/checks/compose.ts';
import { tree } from './temp-tree.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const app = (name: string, extra = '') => `  ${name}:\n    build:\n      context: .\n      args:\n        SERVICE: ${name}\n${extra}`;

describe('compose consistency', () => {
  it("when the repository's docker-compose.yml is read, then it passes", () => {
    assert.deepEqual(composeProblems(join(REPO, 'docker-compose.yml')), []);
  });

  it('when each app service builds its own SERVICE and shared settings come through a merge key, then it passes', () => {
    const text = `x-app: &app\n  depends_on:\n    redis:\n      condition: service_healthy\nservices:\n  redis:\n    image: redis\n${['gateway', 'research', 'llm', 'publisher'].map((n) => app(n, '    <<: *app\n')).join('')}`;
    assert.deepEqual(composeProblems(join(tree({ 'c.yml': text }), 'c.yml')), []);
  });

  it('when a service builds another SERVICE, one is missing, a dependency is unknown and version: is set, then each is named', () => {
    const text = `version: "3.9"\nservices:\n${app('gateway', '    depends_on: [postgress]\n')}${app('research')}${app('llm').replace('SERVICE: llm', 'SERVICE: research')}`;
    assert.deepEqual(composeProblems(join(tree({ 'c.yml': text }), 'c.yml')), [
      "top-level 'version:' is obsolete in the Compose spec",
      'service llm builds SERVICE="research"',
      'service publisher is missing',
      'service gateway depends on unknown service postgress',
    ]);
  });
});
