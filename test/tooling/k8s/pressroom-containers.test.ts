import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerRules, settingsRules } from '../../../deploy/k8s/tools/rules/pressroom-containers.ts';
import type { Obj } from '../../../deploy/k8s/tools/manifest.ts';
import { container, object, overlay, podSpec } from './manifests.ts';

describe("rules for Pressroom's containers", () => {
  it('when the overlays are rendered as committed, then settings and containers pass', () => {
    for (const name of ['staging', 'production'] as const) {
      assert.deepEqual(settingsRules(overlay(name), true), [], name);
      assert.deepEqual(containerRules(overlay(name), true), [], name);
    }
  });

  it('when the ConfigMap or a container names a setting libs/config does not know, then it is refused', () => {
    const objects = overlay('staging');
    (object(objects, 'ConfigMap', 'pressroom-config')['data'] as Obj)['GATEWAY_PROT'] = '8080';
    (container(objects, 'Deployment', 'llm')['env'] as Obj[]).push({ name: 'LLM_TIMEOUT_SECONDS', value: '3' });
    assert.deepEqual(settingsRules(objects, true), [
      'ConfigMap/pressroom-config: GATEWAY_PROT is not a setting of libs/config/src/schema.ts',
      'Deployment/pressroom-staging/llm container llm: env LLM_TIMEOUT_SECONDS is not a setting of libs/config/src/schema.ts',
    ]);
  });

  it('when a container reads a Secret that no ExternalSecret produces, then it is refused', () => {
    const objects = overlay('staging');
    const env = container(objects, 'Deployment', 'gateway')['env'] as Obj[];
    env.push({ name: 'JWT_SECRET', valueFrom: { secretKeyRef: { name: 'hand-made', key: 'jwt' } } });
    assert.deepEqual(settingsRules(objects, true), [
      'Deployment/pressroom-staging/gateway container gateway: env JWT_SECRET reads Secret hand-made, which no ExternalSecret produces',
    ]);
  });

  it('when the grace period is shorter than preStop plus the drain, then it is refused', () => {
    const objects = overlay('staging');
    podSpec(objects, 'Deployment', 'research')['terminationGracePeriodSeconds'] = 5;
    assert.match(
      containerRules(objects, true).join('\n'),
      /^Deployment\/pressroom-staging\/research container research: terminationGracePeriodSeconds 5 must exceed preStop \d+ s \+ SHUTDOWN_TIMEOUT_MS \d+ s \+ 5 s margin$/,
    );
  });

  it('when the gateway is probed on the API port, then it is refused (operations live on the ops port)', () => {
    const objects = overlay('staging');
    ((container(objects, 'Deployment', 'gateway')['readinessProbe'] as Obj)['httpGet'] as Obj)['port'] = 'http';
    assert.deepEqual(containerRules(objects, true), ['Deployment/pressroom-staging/gateway container gateway: readinessProbe must use the ops port']);
  });

  it('when the migration Job runs a script missing from the repository, then it is refused', () => {
    const objects = overlay('staging');
    container(objects, 'Job', 'pressroom-migrate')['command'] = ['node', 'services/gateway/src/no-such-file.ts'];
    assert.deepEqual(containerRules(objects, true), [
      'Job/pressroom-staging/pressroom-migrate container migrate: services/gateway/src/no-such-file.ts does not exist in the repository (the image would fail to start)',
    ]);
  });
});
