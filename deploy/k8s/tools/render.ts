// Renders a kustomization with `kubectl kustomize` (kustomize v5, bundled with kubectl), the same renderer
// deploy/k8s/deploy.sh applies, so what is checked is what is deployed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { isObj, listOf, type Manifest } from './manifest.ts';

export class RenderError extends Error {}

const KUBECTL_MISSING =
  'kubectl is not on PATH: the manifests are rendered with `kubectl kustomize` (kustomize v5). ' +
  'Install kubectl (https://kubernetes.io/docs/tasks/tools/) or put it on PATH, then run again.';

/** `kubectl version --client` on one line; throws a RenderError that says what to install when kubectl is missing. */
export function kubectlVersion(kubectl = 'kubectl'): string {
  const r = spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new RenderError(r.error ? KUBECTL_MISSING : `${kubectl} version --client failed: ${r.stderr.trim()}`);
  return r.stdout.replace(/\s+/g, ' ').trim();
}

export function render(dir: string, kubectl = 'kubectl'): Manifest[] {
  const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new RenderError(KUBECTL_MISSING);
  if (r.status !== 0) throw new RenderError(`kubectl kustomize ${dir} failed:\n${r.stderr.trim()}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

/** Every file a kustomization reads through `resources` and `patches[].path`, following directories. */
export function filesReferenced(dir: string, into = new Set<string>()): Set<string> {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((n) => join(resolve(dir), n)).find((p) => existsSync(p));
  if (!file) return into;
  into.add(file);
  const k = parse(readFileSync(file, 'utf8')) as unknown;
  if (!isObj(k)) return into;
  const paths = [...listOf<string>(k, 'resources'), ...listOf(k, 'patches').map((p) => p['path'])].filter((p): p is string => typeof p === 'string');
  for (const p of paths) {
    const full = resolve(dirname(file), p);
    if (existsSync(full) && statSync(full).isDirectory()) filesReferenced(full, into);
    else into.add(full);
  }
  return into;
}

/** YAML files under `root` that no kustomization in `entryDirs` reads: never deployed, never checked. */
export function unreferencedYaml(root: string, entryDirs: string[]): string[] {
  const used = new Set<string>();
  for (const d of entryDirs) filesReferenced(d, used);
  return (readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(root, f))
    .filter((f) => !used.has(f))
    .sort();
}
