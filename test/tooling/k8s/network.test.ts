import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { networkRules } from '../../../deploy/k8s/tools/rules/network.ts';
import type { Manifest, Obj } from '../../../deploy/k8s/tools/manifest.ts';
import { object, overlay } from './manifests.ts';

const policy = (name: string, app: string, spec: object): Manifest => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'pressroom-staging' },
  spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': app } }, policyTypes: ['Egress'], ...spec },
});

describe('network policy rules', () => {
  it('when the overlays are rendered as committed, then only the gateway and the migration Job reach PostgreSQL', () => {
    assert.deepEqual(networkRules(overlay('staging'), true), []);
    assert.deepEqual(networkRules(overlay('production'), true), []);
  });

  it('when a worker gets an egress rule without ports, then it may reach 5432 and is refused', () => {
    const objects = [...overlay('staging'), policy('llm-anywhere', 'llm', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })];
    assert.deepEqual(networkRules(objects, true), [
      'Deployment/pressroom-staging/llm: may reach PostgreSQL (5432); only the gateway and its migration Job may',
    ]);
  });

  it('when the default-deny policy is gone, then every Pressroom pod is named', () => {
    const objects = overlay('staging').filter((m) => m.metadata.name !== 'pressroom-default-deny');
    const problems = networkRules(objects, true);
    for (const name of ['gateway', 'research', 'llm', 'publisher'])
      assert.ok(problems.includes(`Deployment/pressroom-staging/${name}: no default-deny NetworkPolicy selects its pods`), problems.join('\n'));
  });

  it('when the gateway loses its PostgreSQL egress, then it is named; the base (no overlay) is not held to this', () => {
    const objects = overlay('staging').filter((m) => m.metadata.name !== 'postgres-clients-egress');
    assert.deepEqual(
      networkRules(objects, true).filter((p) => p.includes('5432')),
      ['Deployment/pressroom-staging/gateway: cannot reach PostgreSQL (5432)', 'Job/pressroom-staging/pressroom-migrate: cannot reach PostgreSQL (5432)'],
    );
    assert.deepEqual(networkRules(objects, false), []);
  });
});

describe('the public entry', () => {
  for (const name of ['staging', 'production'] as const)
    it(`when ${name} is rendered, then its Ingress routes the API, its description and the operator console to the gateway`, () => {
      const ingress = object(overlay(name), 'Ingress', 'gateway');
      const rules = (ingress['spec'] as Obj)['rules'] as Obj[];
      const paths = rules.flatMap((r) => ((r['http'] as Obj)['paths'] as Obj[]).map((p) => [p['path'], p['pathType'], (p['backend'] as Obj)['service']]));
      const toGateway = { name: 'gateway', port: { name: 'http' } };
      assert.deepEqual(paths, [
        ['/v1', 'Prefix', toGateway],
        ['/openapi.json', 'Exact', toGateway],
        ['/console', 'Prefix', toGateway],
      ]);
    });
});
