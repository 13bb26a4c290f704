import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { yamlProblems } from '../../../scripts/checks/yaml-syntax.ts';
import { tree } from './temp-tree.ts';

describe('YAML syntax', () => {
  it('when a mapping repeats a key, then it is refused (YAML would keep the last one silently)', () => {
    const root = tree({ 'a.yml': 'services:\n  gateway:\n    image: a\n    image: b\n' });
    assert.match(yamlProblems(join(root, 'a.yml')).join('\n'), /Map keys must be unique/);
  });

  it('when a file uses merge keys and several documents, then it is accepted', () => {
    const root = tree({ 'a.yml': 'x: &base\n  a: 1\ny:\n  <<: *base\n  b: 2\n---\nz: 3\n' });
    assert.deepEqual(yamlProblems(join(root, 'a.yml')), []);
  });

  it('when indentation is broken, then the parse error is reported', () => {
    const root = tree({ 'a.yml': 'a:\n  b: 1\n c: 2\n' });
    assert.notDeepEqual(yamlProblems(join(root, 'a.yml')), []);
  });
});
