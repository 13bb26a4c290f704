import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { referenceRules } from '../../../deploy/k8s/tools/rules/references.ts';
import type { Obj } from '../../../deploy/k8s/tools/manifest.ts';
import { object, overlay } from './manifests.ts';

describe('references between objects', () => {
  it('when the overlays are rendered as committed, then every reference resolves', () => {
    assert.deepEqual(referenceRules(overlay('staging'), true), []);
    assert.deepEqual(referenceRules(overlay('production'), true), []);
  });

  it('when a Service selects no pod or targets a port no container has, then it is refused', () => {
    const objects = overlay('staging');
    const llm = object(objects, 'Service', 'llm')['spec'] as Obj;
    llm['selector'] = { 'app.kubernetes.io/name': 'lml' };
    ((object(objects, 'Service', 'research')['spec'] as Obj)['ports'] as Obj[])[0]!['targetPort'] = 'htp';
    assert.deepEqual(referenceRules(objects, true), [
      'Service/pressroom-staging/llm: its selector matches no workload',
      'Service/pressroom-staging/llm: targetPort http is no container port of the workload',
      'Service/pressroom-staging/research: targetPort htp is no container port of the workload',
    ]);
  });

  it('when a service has no ServiceMonitor of its name, then it is refused (the alert rules match job=<service>)', () => {
    const objects = overlay('staging').filter((m) => !(m.kind === 'ServiceMonitor' && m.metadata.name === 'gateway'));
    assert.deepEqual(referenceRules(objects, true), [
      'Deployment/pressroom-staging/gateway: no ServiceMonitor named gateway (the alert rules match job="gateway")',
    ]);
  });

  it("when an object of an overlay is outside the overlay's namespace, then it is refused", () => {
    const objects = overlay('staging');
    object(objects, 'ConfigMap', 'pressroom-config').metadata.namespace = 'default';
    assert.deepEqual(referenceRules(objects, true), ["ConfigMap/default/pressroom-config: not in the overlay's namespace pressroom-staging"]);
  });
});
