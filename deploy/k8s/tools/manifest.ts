// The shape of a rendered Kubernetes object, and the few accessors the checks share: safe deep reads, pod
// templates, and label selectors evaluated the way the API server evaluates them.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };
export interface Manifest extends Obj {
  apiVersion: string;
  kind: string;
  metadata: Obj & { name: string; namespace?: string };
}
export type PodSpec = Obj & { containers: Array<Obj & { name: string }> };

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const idOf = (m: Manifest): string => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

/** `get(o, 'spec', 'template')`: undefined as soon as a step is not a mapping. */
export function get(o: Json | undefined, ...path: string[]): Json | undefined {
  let cur: Json | undefined = o;
  for (const p of path) cur = isObj(cur) ? cur[p] : undefined;
  return cur;
}

/** A list field, or [] when absent. */
export const listOf = <T = Obj>(o: Json | undefined, ...path: string[]): T[] => {
  const v = get(o, ...path);
  return Array.isArray(v) ? (v as T[]) : [];
};

export const labelsOf = (o: Json | undefined): Record<string, string> => (isObj(o) ? (o as Record<string, string>) : {});

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job']);
export const isWorkload = (m: Manifest): boolean => WORKLOAD_KINDS.has(m.kind);

export function podTemplate(m: Manifest): { labels: Record<string, string>; spec: PodSpec } | undefined {
  const tpl = isWorkload(m) ? get(m, 'spec', 'template') : undefined;
  if (!isObj(tpl)) return undefined;
  return { labels: labelsOf(get(tpl, 'metadata', 'labels')), spec: get(tpl, 'spec') as PodSpec };
}

/** A LabelSelector (matchLabels and matchExpressions); an absent selector selects everything. */
export function selectorMatches(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (!isObj(selector)) return true;
  for (const [k, v] of Object.entries(labelsOf(get(selector, 'matchLabels')))) if (labels[k] !== v) return false;
  for (const e of listOf(selector, 'matchExpressions')) {
    const key = String(get(e, 'key'));
    const values = listOf<string>(e, 'values');
    const has = key in labels;
    switch (get(e, 'operator')) {
      case 'In':
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Service selectors are plain label maps. */
export const mapMatches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

export const findObject = (objects: Manifest[], kind: string, name: string): Manifest | undefined =>
  objects.find((m) => m.kind === kind && m.metadata.name === name);

/** `gateway` for a container running `…/pressroom/gateway:tag`; undefined for third-party images. */
export const pressroomServiceOf = (image: string): string | undefined => /(?:^|\/)pressroom\/(gateway|research|llm|publisher)(?:[:@]|$)/.exec(image)?.[1];

/** The Secrets an ExternalSecret produces: the only Secrets a pod may read. */
export const externalSecretNames = (objects: Manifest[]): Set<string> =>
  new Set(objects.filter((m) => m.kind === 'ExternalSecret').map((m) => String(get(m, 'spec', 'target', 'name') ?? m.metadata.name)));

/** A check over one rendering; `overlay` is true for a deployable overlay (not the base or cluster objects). */
export type Rule = (objects: Manifest[], overlay: boolean) => string[];

/** Each container that runs one of Pressroom's images, with its workload and pod template. */
export function pressroomContainers(objects: Manifest[]) {
  return objects.flatMap((w) => {
    const pod = podTemplate(w);
    if (!pod) return [];
    return pod.spec.containers.flatMap((c) => {
      const service = pressroomServiceOf(String(get(c, 'image')));
      return service ? [{ workload: w, pod, container: c, service, id: `${idOf(w)} container ${c.name}` }] : [];
    });
  });
}
