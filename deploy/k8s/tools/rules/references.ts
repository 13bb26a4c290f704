// References between objects that kustomize does not resolve: Services and ServiceMonitors select something
// that exists and name ports it has; each Pressroom service has the ServiceMonitor the alert rules expect; an
// overlay keeps everything in its own Namespace.
import { get, idOf, isWorkload, labelsOf, listOf, mapMatches, podTemplate, pressroomContainers, selectorMatches, type Rule } from '../manifest.ts';

export const referenceRules: Rule = (objects, overlay) => {
  const problems: string[] = [];
  if (overlay) {
    const ns = objects.find((m) => m.kind === 'Namespace')?.metadata.name;
    if (!ns) problems.push('the overlay defines no Namespace');
    for (const m of objects) if (m.kind !== 'Namespace' && m.metadata.namespace !== ns) problems.push(`${idOf(m)}: not in the overlay's namespace ${ns}`);
  }

  const services = objects.filter((m) => m.kind === 'Service');
  const servers = objects.filter((w) => isWorkload(w) && w.kind !== 'Job');
  for (const svc of services) {
    const selector = labelsOf(get(svc, 'spec', 'selector'));
    const backing = servers.filter((w) => mapMatches(selector, podTemplate(w)?.labels ?? {}));
    if (backing.length === 0) problems.push(`${idOf(svc)}: its selector matches no workload`);
    const containerPorts = new Set(backing.flatMap((w) => podTemplate(w)!.spec.containers.flatMap((c) => listOf(c, 'ports').map((p) => p['name']))));
    for (const p of listOf(svc, 'spec', 'ports'))
      if (typeof p['targetPort'] === 'string' && !containerPorts.has(p['targetPort']))
        problems.push(`${idOf(svc)}: targetPort ${p['targetPort']} is no container port of the workload`);
  }

  const monitors = objects.filter((m) => m.kind === 'ServiceMonitor');
  for (const sm of monitors) {
    const sel = get(sm, 'spec', 'selector');
    if (labelsOf(get(sel, 'matchLabels'))['app.kubernetes.io/name'] === 'pressroom-rabbitmq') continue; // made by the operator
    const selected = services.filter((s) => selectorMatches(sel, labelsOf(get(s, 'metadata', 'labels'))));
    if (selected.length === 0) problems.push(`${idOf(sm)}: selects no Service`);
    for (const ep of listOf(sm, 'spec', 'endpoints'))
      if (!selected.every((s) => listOf(s, 'spec', 'ports').some((p) => p['name'] === ep['port'])))
        problems.push(`${idOf(sm)}: port ${String(ep['port'])} is not on the Service`);
  }
  for (const { workload: w, service } of pressroomContainers(objects).filter((p) => p.workload.kind !== 'Job'))
    if (!monitors.some((o) => o.metadata.name === service))
      problems.push(`${idOf(w)}: no ServiceMonitor named ${service} (the alert rules match job="${service}")`);
  return problems;
};
