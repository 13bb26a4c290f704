// A renderer for the subset of kustomize that deploy/k8s uses, so the manifests can be rendered and checked
// on a machine without a kustomize binary. Supported, and nothing else (anything else is an error, never
// silently ignored): `resources` (files, possibly multi-document, and directories holding a kustomization),
// `namespace`, `images` (name → newName / newTag / digest), and `patches` (a file `path` or an inline `patch`,
// applied as a strategic-merge patch to the object of the same kind and name, or to the `target` kind/name).
// scripts/check-k8s.sh compares its output with `kubectl kustomize` whenever kubectl is installed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };
export interface Manifest extends Obj {
  apiVersion: string;
  kind: string;
  metadata: Obj & { name: string; namespace?: string };
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);

/** Kinds that kustomize's namespace transformer leaves alone (cluster-scoped built-ins). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);

export class KustomizeError extends Error {}

/** Every file a render read (kustomizations, resources, patches), so a checker can find files nothing uses. */
export const filesRead = new Set<string>();

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads every YAML document of a file; comments and empty documents are dropped. */
export function readManifests(path: string): Manifest[] {
  filesRead.add(resolve(path));
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { uniqueKeys: true });
  const out: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new KustomizeError(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (!isObj(value)) throw new KustomizeError(`${path}: a document is not a mapping`);
    const m = value as Manifest;
    if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || !isObj(m.metadata) || typeof m.metadata.name !== 'string')
      throw new KustomizeError(`${path}: every document needs apiVersion, kind and metadata.name`);
    out.push(m);
  }
  return out;
}

function kustomizationFile(dir: string): string {
  for (const name of KUSTOMIZATION_FILES) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new KustomizeError(`${dir}: no kustomization.yaml`);
}

export const idOf = (m: Manifest): string => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

/** Renders a kustomization directory: the same objects `kubectl kustomize DIR` gives, for the subset above. */
export function render(dir: string): Manifest[] {
  const file = kustomizationFile(resolve(dir));
  filesRead.add(file);
  const [k] = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true }).map((d) => d.toJS() as unknown);
  if (!isObj(k)) throw new KustomizeError(`${file}: not a mapping`);
  for (const key of Object.keys(k))
    if (!SUPPORTED_FIELDS.has(key)) throw new KustomizeError(`${file}: field '${key}' is outside the supported kustomize subset (see deploy/k8s/tools/kustomize-lite.ts)`);
  const base = dirname(file);

  let objects: Manifest[] = [];
  for (const entry of asList(k['resources'], file, 'resources')) {
    if (typeof entry !== 'string') throw new KustomizeError(`${file}: resources entries must be paths`);
    const p = resolve(base, entry);
    if (!existsSync(p)) throw new KustomizeError(`${file}: resource ${entry} does not exist`);
    objects.push(...(statSync(p).isDirectory() ? render(p) : readManifests(p)));
  }
  const seen = new Set<string>();
  for (const m of objects) {
    const id = idOf(m);
    if (seen.has(id)) throw new KustomizeError(`${file}: ${id} is defined twice`);
    seen.add(id);
  }

  for (const entry of asList(k['patches'], file, 'patches')) {
    if (!isObj(entry)) throw new KustomizeError(`${file}: patches entries must be mappings`);
    for (const key of Object.keys(entry))
      if (!['path', 'patch', 'target'].includes(key)) throw new KustomizeError(`${file}: patch field '${key}' is outside the supported subset`);
    const patchDocs =
      typeof entry['path'] === 'string'
        ? readManifests(resolve(base, entry['path']))
        : typeof entry['patch'] === 'string'
          ? parseAllDocuments(entry['patch']).map((d) => d.toJS() as Manifest)
          : [];
    if (patchDocs.length !== 1) throw new KustomizeError(`${file}: each patch must hold exactly one strategic-merge document`);
    const patch = patchDocs[0]!;
    const target = isObj(entry['target']) ? entry['target'] : { kind: patch.kind, name: patch.metadata?.name };
    for (const key of Object.keys(target))
      if (!['kind', 'name'].includes(key)) throw new KustomizeError(`${file}: patch target field '${key}' is outside the supported subset`);
    const matches = objects.filter((m) => m.kind === target['kind'] && m.metadata.name === target['name']);
    if (matches.length !== 1) throw new KustomizeError(`${file}: patch target ${String(target['kind'])}/${String(target['name'])} matches ${matches.length} objects`);
    const { metadata: patchMeta, ...patchBody } = patch;
    const { name: _n, namespace: _ns, ...metaRest } = (patchMeta ?? {}) as Obj;
    objects = objects.map((m) => (m === matches[0] ? (strategicMerge(m, { ...patchBody, metadata: metaRest }, [], m.kind) as Manifest) : m));
  }

  for (const image of asList(k['images'], file, 'images')) {
    if (!isObj(image) || typeof image['name'] !== 'string') throw new KustomizeError(`${file}: images entries need a name`);
    for (const key of Object.keys(image))
      if (!['name', 'newName', 'newTag', 'digest'].includes(key)) throw new KustomizeError(`${file}: image field '${key}' is outside the supported subset`);
    objects = objects.map((m) => setImages(m, image) as Manifest);
  }

  if (k['namespace'] !== undefined) {
    if (typeof k['namespace'] !== 'string') throw new KustomizeError(`${file}: namespace must be a string`);
    const ns = k['namespace'];
    objects = objects.map((m) => (CLUSTER_SCOPED.has(m.kind) ? m : { ...m, metadata: { ...m.metadata, namespace: ns } }));
  }
  return objects;
}

function asList(v: unknown, file: string, field: string): Json[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new KustomizeError(`${file}: ${field} must be a list`);
  return v as Json[];
}

/**
 * Merge keys of the lists this repository patches, as Kubernetes' strategic merge declares them for built-in
 * kinds. Any other list is replaced whole, which is also what kustomize does for lists of custom resources.
 */
function mergeKey(path: string[], kind: string, items: Json[]): string | undefined {
  const field = path.at(-1);
  if (!isObj(items[0] ?? null) && items.length > 0) return undefined;
  if (!['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'Pod', 'Service', 'CronJob'].includes(kind)) return undefined;
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'env':
    case 'volumes':
    case 'volumeMounts':
    case 'imagePullSecrets':
      return field === 'volumeMounts' ? 'mountPath' : 'name';
    case 'ports':
      return kind === 'Service' ? 'port' : 'containerPort';
    default:
      return undefined;
  }
}

/** Strategic merge: mappings merge key by key (null deletes), keyed lists merge by their key, other lists are replaced. */
export function strategicMerge(target: Json, patch: Json, path: string[], kind: string): Json {
  if (isObj(target) && isObj(patch)) {
    const out: Obj = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in target ? strategicMerge(target[key]!, value, [...path, key], kind) : value;
    }
    return out;
  }
  if (Array.isArray(target) && Array.isArray(patch)) {
    const key = mergeKey(path, kind, patch.length > 0 ? patch : target);
    if (!key) return patch;
    // kustomize's order: the patch's items first (merged with their counterparts), then the untouched ones.
    const out: Json[] = [];
    const used = new Set<number>();
    for (const item of patch) {
      if (!isObj(item)) return patch;
      const i = target.findIndex((t) => isObj(t) && t[key] === item[key]);
      if (i >= 0) used.add(i);
      out.push(i >= 0 ? strategicMerge(target[i]!, item, [...path, '[]'], kind) : item);
    }
    target.forEach((t, i) => {
      if (!used.has(i)) out.push(t);
    });
    return out;
  }
  return patch;
}

/** kustomize's image transformer: every `containers[].image` / `initContainers[].image` whose name matches. */
function setImages(node: Json, image: Obj): Json {
  if (Array.isArray(node)) return node.map((n) => setImages(n, image));
  if (!isObj(node)) return node;
  const out: Obj = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      out[key] = value.map((c) => (isObj(c) && typeof c['image'] === 'string' ? { ...c, image: retag(c['image'], image) } : setImages(c, image)));
    } else out[key] = setImages(value, image);
  }
  return out;
}

function retag(ref: string, image: Obj): string {
  const at = ref.indexOf('@');
  const lastColon = ref.lastIndexOf(':');
  const tagStart = lastColon > ref.lastIndexOf('/') ? lastColon : -1;
  const nameEnd = at >= 0 ? at : tagStart >= 0 ? tagStart : ref.length;
  const name = ref.slice(0, nameEnd);
  if (name !== image['name']) return ref;
  let suffix = ref.slice(nameEnd);
  if (typeof image['newTag'] === 'string') suffix = `:${image['newTag']}`;
  if (typeof image['digest'] === 'string') suffix = `@${image['digest']}`;
  return `${typeof image['newName'] === 'string' ? image['newName'] : name}${suffix}`;
}
