// Every workload, Pressroom's or third-party: the restricted Pod Security Standard, requests and limits,
// probes, pinned images in overlays, and volume mounts that have a volume.
import { get, idOf, isWorkload, listOf, podTemplate, selectorMatches, type Obj, type Rule } from '../manifest.ts';

export const podSecurityRules: Rule = (objects, overlay) => {
  const problems: string[] = [];
  for (const w of objects.filter(isWorkload)) {
    const pod = podTemplate(w);
    if (!pod) continue;
    const id = idOf(w);
    const podSec = get(pod.spec, 'securityContext');
    if (get(pod.spec, 'automountServiceAccountToken') !== false) problems.push(`${id}: automountServiceAccountToken must be false (no pod needs the API)`);
    if (w.kind !== 'Job' && !selectorMatches(get(w, 'spec', 'selector'), pod.labels))
      problems.push(`${id}: spec.selector does not match the pod template's labels`);
    if (get(podSec, 'runAsNonRoot') !== true) problems.push(`${id}: pod securityContext.runAsNonRoot must be true`);
    if (get(podSec, 'seccompProfile', 'type') !== 'RuntimeDefault') problems.push(`${id}: pod seccompProfile must be RuntimeDefault`);
    const volumes = listOf(pod.spec, 'volumes').map((v) => v['name']);
    const claims = listOf(w, 'spec', 'volumeClaimTemplates').map((t) => get(t, 'metadata', 'name'));
    for (const c of pod.spec.containers) {
      const cid = `${id} container ${c.name}`;
      const sec = get(c, 'securityContext');
      if (get(sec, 'readOnlyRootFilesystem') !== true) problems.push(`${cid}: readOnlyRootFilesystem must be true`);
      if (get(sec, 'allowPrivilegeEscalation') !== false) problems.push(`${cid}: allowPrivilegeEscalation must be false`);
      if (!listOf<string>(sec, 'capabilities', 'drop').includes('ALL')) problems.push(`${cid}: capabilities must drop ALL`);
      for (const r of ['requests', 'limits'])
        for (const res of ['cpu', 'memory']) if (get(c, 'resources', r, res) === undefined) problems.push(`${cid}: resources.${r}.${res} is missing`);
      if (w.kind !== 'Job') {
        if (!get(c, 'readinessProbe')) problems.push(`${cid}: no readinessProbe`);
        if (!get(c, 'livenessProbe')) problems.push(`${cid}: no livenessProbe`);
      }
      const image = String(get(c, 'image'));
      if (overlay && (image.endsWith(':latest') || !/[:@]/.test(image.split('/').at(-1) ?? ''))) problems.push(`${cid}: image ${image} has no pinned tag`);
      for (const mount of listOf<Obj>(c, 'volumeMounts'))
        if (!volumes.includes(mount['name']!) && !claims.includes(mount['name'])) problems.push(`${cid}: volumeMount ${String(mount['name'])} has no volume`);
    }
  }
  return problems;
};
