import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podSecurityRules } from '../../../deploy/k8s/tools/rules/pod-security.ts';
import type { Obj } from '../../../deploy/k8s/tools/manifest.ts';
import { container, overlay, podSpec } from './manifests.ts';

describe('pod security rules', () => {
  it('when the overlays are rendered as committed, then no workload breaks a rule', () => {
    assert.deepEqual(podSecurityRules(overlay('staging'), true), []);
    assert.deepEqual(podSecurityRules(overlay('production'), true), []);
  });

  it('when a pod may run as root or keeps its capabilities, then both are named', () => {
    const objects = overlay('staging');
    delete (podSpec(objects, 'Deployment', 'llm')['securityContext'] as Obj)['runAsNonRoot'];
    delete (container(objects, 'Deployment', 'redis')['securityContext'] as Obj)['capabilities'];
    assert.deepEqual(podSecurityRules(objects, true), [
      'Deployment/pressroom-staging/llm: pod securityContext.runAsNonRoot must be true',
      'Deployment/pressroom-staging/redis container redis: capabilities must drop ALL',
    ]);
  });

  it('when an overlay runs an unpinned image, then it is refused; the base may name images without tags', () => {
    const objects = overlay('staging');
    container(objects, 'Deployment', 'jaeger')['image'] = 'jaegertracing/jaeger:latest';
    assert.deepEqual(podSecurityRules(objects, true), [
      'Deployment/pressroom-staging/jaeger container jaeger: image jaegertracing/jaeger:latest has no pinned tag',
    ]);
    assert.deepEqual(podSecurityRules(objects, false), []);
  });

  it('when a container lacks limits, a probe, or mounts a volume the pod does not have, then each is named', () => {
    const objects = overlay('staging');
    const c = container(objects, 'Deployment', 'publisher');
    delete (c['resources'] as Obj)['limits'];
    delete c['livenessProbe'];
    (c['volumeMounts'] as Obj[]).push({ name: 'nowhere', mountPath: '/nowhere' });
    assert.deepEqual(podSecurityRules(objects, true), [
      'Deployment/pressroom-staging/publisher container publisher: resources.limits.cpu is missing',
      'Deployment/pressroom-staging/publisher container publisher: resources.limits.memory is missing',
      'Deployment/pressroom-staging/publisher container publisher: no livenessProbe',
      'Deployment/pressroom-staging/publisher container publisher: volumeMount nowhere has no volume',
    ]);
  });
});
