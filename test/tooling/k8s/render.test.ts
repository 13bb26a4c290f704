import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tree } from '../checks/temp-tree.ts';
import { kubectlVersion, render, RenderError, unreferencedYaml } from '../../../deploy/k8s/tools/render.ts';

const kustomization = (files: Record<string, string>) => tree(files);
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  A: "1"\n`;

describe('rendering with kubectl kustomize', () => {
  it('when a kustomization sets a namespace, then every object comes back with it', () => {
    const dir = kustomization({ 'kustomization.yaml': 'namespace: ns1\nresources: [cm.yaml]\n', 'cm.yaml': configMap('one') });
    const objects = render(dir);
    assert.deepEqual(
      objects.map((m) => [m.kind, m.metadata.name, m.metadata.namespace]),
      [['ConfigMap', 'one', 'ns1']],
    );
  });

  it('when a resource repeats a key, then rendering fails and says which', () => {
    const dir = kustomization({
      'kustomization.yaml': 'resources: [cm.yaml]\n',
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n',
    });
    assert.throws(
      () => render(dir),
      (err: Error) => err instanceof RenderError && /already defined/.test(err.message),
    );
  });

  it('when kubectl is not installed, then the error says to install kubectl', () => {
    const missing = join(tmpdir(), 'no-such-kubectl');
    assert.throws(
      () => kubectlVersion(missing),
      (err: Error) => err instanceof RenderError && /kubectl is not on PATH.*Install kubectl/s.test(err.message),
    );
    assert.throws(() => render(tmpdir(), missing), /kubectl is not on PATH/);
  });

  it('when a YAML file is named by no kustomization, then it is reported and the referenced ones are not', () => {
    const root = kustomization({
      'overlay/kustomization.yaml': 'resources: [../base, extra.yaml]\npatches:\n  - path: patch.yaml\n',
      'overlay/extra.yaml': configMap('extra'),
      'overlay/patch.yaml': configMap('one'),
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': configMap('one'),
      'base/forgotten.yaml': configMap('forgotten'),
    });
    assert.deepEqual(unreferencedYaml(root, [join(root, 'overlay')]), [join(root, 'base/forgotten.yaml')]);
  });
});
