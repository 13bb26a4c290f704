// Test data for the manifest rules: the real rendered overlays (rendered once per file), handed out as fresh
// copies for a test to break in one place.
import { join } from 'node:path';
import type { Manifest, Obj } from '../../../deploy/k8s/tools/manifest.ts';
import { render } from '../../../deploy/k8s/tools/render.ts';

const K8S = join(import.meta.dirname, '..', '..', '..', 'deploy', 'k8s');
const cache = new Map<string, Manifest[]>();

export function overlay(name: 'staging' | 'production'): Manifest[] {
  if (!cache.has(name)) cache.set(name, render(join(K8S, 'overlays', name)));
  return structuredClone(cache.get(name)!);
}

export function object(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the rendering`);
  return found;
}

/** The first container of a workload's pod template. */
export const container = (objects: Manifest[], kind: string, name: string): Obj => {
  const spec = (object(objects, kind, name)['spec'] as Obj)['template'] as Obj;
  return ((spec['spec'] as Obj)['containers'] as Obj[])[0]!;
};
export const podSpec = (objects: Manifest[], kind: string, name: string): Obj =>
  ((object(objects, kind, name)['spec'] as Obj)['template'] as Obj)['spec'] as Obj;
