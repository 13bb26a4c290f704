import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, pressroomServiceOf, selectorMatches } from '../../../deploy/k8s/tools/manifest.ts';

describe('label selectors, evaluated as the API server does', () => {
  const labels = { app: 'gateway', tier: 'api' };
  it('when a selector is absent, then it selects every pod', () => assert.equal(selectorMatches(undefined, labels), true));
  it('when matchLabels differ in one label, then it does not select', () => {
    assert.equal(selectorMatches({ matchLabels: { app: 'gateway' } }, labels), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'gateway', tier: 'worker' } }, labels), false);
  });
  it('when matchExpressions use In, NotIn, Exists and DoesNotExist, then each is honoured', () => {
    const expr = (operator: string, key: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
    assert.equal(selectorMatches(expr('In', 'app', ['gateway', 'llm']), labels), true);
    assert.equal(selectorMatches(expr('In', 'missing', ['x']), labels), false);
    assert.equal(selectorMatches(expr('NotIn', 'app', ['gateway']), labels), false);
    assert.equal(selectorMatches(expr('NotIn', 'missing', ['x']), labels), true);
    assert.equal(selectorMatches(expr('Exists', 'tier'), labels), true);
    assert.equal(selectorMatches(expr('DoesNotExist', 'tier'), labels), false);
  });
});

describe('reading manifests', () => {
  it('when a path crosses a list or a missing key, then get gives undefined instead of throwing', () => {
    assert.equal(get({ a: { b: 1 } }, 'a', 'b'), 1);
    assert.equal(get({ a: [1] }, 'a', 'b'), undefined);
    assert.equal(get(undefined, 'a'), undefined);
  });
  it("when an image is one of Pressroom's, then its service is named, whatever the registry, tag or digest", () => {
    assert.equal(pressroomServiceOf('registry.example.com/pressroom/llm:1.0.0'), 'llm');
    assert.equal(pressroomServiceOf('pressroom/gateway@sha256:abc'), 'gateway');
    assert.equal(pressroomServiceOf('rabbitmq:4.1-management'), undefined);
  });
});
