// Scaling and disruption: each Pressroom Deployment is scaled by one HorizontalPodAutoscaler or KEDA
// ScaledObject (which then owns the replica count) on its own stage's queue, and covered by a PodDisruptionBudget.
import {
  externalSecretNames,
  findObject,
  get,
  idOf,
  isWorkload,
  labelsOf,
  listOf,
  podTemplate,
  pressroomContainers,
  selectorMatches,
  type Json,
  type Rule,
} from '../manifest.ts';

const STAGE_OF: Record<string, string> = { research: 'research', llm: 'write', publisher: 'publish' };
/** PodDisruptionBudgets for pods the RabbitMQ operator makes, so no rendered workload matches them. */
const operatorMade = (selector: Json | undefined) => labelsOf(get(selector, 'matchLabels'))['app.kubernetes.io/name'] === 'pressroom-rabbitmq';

export const scalingRules: Rule = (objects) => {
  const problems: string[] = [];
  const scalers = objects.filter((m) => m.kind === 'HorizontalPodAutoscaler' || m.kind === 'ScaledObject');
  const scaled = new Set(scalers.map((m) => String(get(m, 'spec', 'scaleTargetRef', 'name'))));
  const pdbs = objects.filter((m) => m.kind === 'PodDisruptionBudget');

  for (const { workload: w, pod } of pressroomContainers(objects).filter((p) => p.workload.kind !== 'Job')) {
    const id = idOf(w);
    if (!scaled.has(w.metadata.name)) problems.push(`${id}: no HorizontalPodAutoscaler or ScaledObject scales it`);
    else if (get(w, 'spec', 'replicas') !== undefined) problems.push(`${id}: an autoscaler owns the count, so spec.replicas must be absent`);
    if (!pdbs.some((o) => selectorMatches(get(o, 'spec', 'selector'), pod.labels))) problems.push(`${id}: no PodDisruptionBudget covers it`);
  }

  const workloads = objects.filter(isWorkload);
  for (const pdb of pdbs) {
    const sel = get(pdb, 'spec', 'selector');
    if (!operatorMade(sel) && !workloads.some((w) => selectorMatches(sel, podTemplate(w)?.labels ?? {})))
      problems.push(`${idOf(pdb)}: its selector matches no workload`);
  }
  for (const hpa of objects.filter((m) => m.kind === 'HorizontalPodAutoscaler')) {
    if (!findObject(objects, 'Deployment', String(get(hpa, 'spec', 'scaleTargetRef', 'name')))) problems.push(`${idOf(hpa)}: scale target does not exist`);
    if (Number(get(hpa, 'spec', 'minReplicas')) > Number(get(hpa, 'spec', 'maxReplicas'))) problems.push(`${idOf(hpa)}: minReplicas > maxReplicas`);
  }
  const secrets = externalSecretNames(objects);
  for (const so of objects.filter((m) => m.kind === 'ScaledObject')) {
    const name = String(get(so, 'spec', 'scaleTargetRef', 'name'));
    if (!findObject(objects, 'Deployment', name)) problems.push(`${idOf(so)}: scale target ${name} does not exist`);
    if (Number(get(so, 'spec', 'minReplicaCount')) > Number(get(so, 'spec', 'maxReplicaCount')))
      problems.push(`${idOf(so)}: minReplicaCount > maxReplicaCount`);
    for (const t of listOf(so, 'spec', 'triggers').filter((t) => t['type'] === 'rabbitmq')) {
      const queue = get(t, 'metadata', 'queueName');
      if (queue !== `${STAGE_OF[name]}.tasks`)
        problems.push(`${idOf(so)}: scales ${name} on ${String(queue)}, but its stage's queue is ${STAGE_OF[name]}.tasks`);
      if (get(t, 'metadata', 'mode') !== 'QueueLength') problems.push(`${idOf(so)}: mode must be QueueLength`);
      const auth = findObject(objects, 'TriggerAuthentication', String(get(t, 'authenticationRef', 'name')));
      if (!auth) problems.push(`${idOf(so)}: its TriggerAuthentication does not exist`);
      else
        for (const ref of listOf(auth, 'spec', 'secretTargetRef'))
          if (!secrets.has(String(ref['name']))) problems.push(`${idOf(auth)}: reads Secret ${String(ref['name'])}, which no ExternalSecret produces`);
    }
  }
  return problems;
};
