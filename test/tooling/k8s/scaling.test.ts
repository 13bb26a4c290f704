import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scalingRules } from '../../../deploy/k8s/tools/rules/scaling.ts';
import type { Obj } from '../../../deploy/k8s/tools/manifest.ts';
import { object, overlay } from './manifests.ts';

const trigger = (objects: ReturnType<typeof overlay>, name: string) => ((object(objects, 'ScaledObject', name)['spec'] as Obj)['triggers'] as Obj[])[0]!;

describe('scaling and disruption rules', () => {
  it('when the overlays are rendered as committed, then every Deployment is scaled and covered', () => {
    assert.deepEqual(scalingRules(overlay('staging'), true), []);
    assert.deepEqual(scalingRules(overlay('production'), true), []);
  });

  it('when an autoscaled Deployment also sets replicas, then it is refused (the autoscaler owns the count)', () => {
    const objects = overlay('staging');
    (object(objects, 'Deployment', 'research')['spec'] as Obj)['replicas'] = 2;
    assert.deepEqual(scalingRules(objects, true), ['Deployment/pressroom-staging/research: an autoscaler owns the count, so spec.replicas must be absent']);
  });

  it("when a worker is scaled on another stage's queue, then it is refused", () => {
    const objects = overlay('staging');
    (trigger(objects, 'llm')['metadata'] as Obj)['queueName'] = 'research.tasks';
    assert.deepEqual(scalingRules(objects, true), ["ScaledObject/pressroom-staging/llm: scales llm on research.tasks, but its stage's queue is write.tasks"]);
  });

  it('when a Deployment loses its autoscaler and its PodDisruptionBudget, then both are named', () => {
    const objects = overlay('staging').filter((m) => !(m.metadata.name === 'publisher' && (m.kind === 'ScaledObject' || m.kind === 'PodDisruptionBudget')));
    assert.deepEqual(scalingRules(objects, true), [
      'Deployment/pressroom-staging/publisher: no HorizontalPodAutoscaler or ScaledObject scales it',
      'Deployment/pressroom-staging/publisher: no PodDisruptionBudget covers it',
    ]);
  });
});
