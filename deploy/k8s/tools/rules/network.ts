// NetworkPolicies in an overlay: every Pressroom pod is under a default-deny policy, and of them only the
// gateway and its migration Job may open PostgreSQL's port 5432.
import { get, idOf, isWorkload, listOf, podTemplate, selectorMatches, type Rule } from '../manifest.ts';

const MAY_REACH_POSTGRES = new Set(['gateway', 'migrate']);

export const networkRules: Rule = (objects, overlay) => {
  if (!overlay) return [];
  const problems: string[] = [];
  const policies = objects.filter((m) => m.kind === 'NetworkPolicy');
  const selecting = (labels: Record<string, string>) => policies.filter((p) => selectorMatches(get(p, 'spec', 'podSelector'), labels));
  for (const w of objects.filter(isWorkload)) {
    const pod = podTemplate(w);
    if (!pod || pod.labels['app.kubernetes.io/part-of'] !== 'pressroom') continue;
    const mine = selecting(pod.labels);
    const denied = mine.some((p) => {
      const types = listOf<string>(p, 'spec', 'policyTypes');
      return types.includes('Ingress') && types.includes('Egress') && !get(p, 'spec', 'ingress') && !get(p, 'spec', 'egress');
    });
    if (!denied) problems.push(`${idOf(w)}: no default-deny NetworkPolicy selects its pods`);
    // An egress rule without ports, or with a port entry without a number, allows every port.
    const reaches5432 = mine.some((p) =>
      listOf(p, 'spec', 'egress').some((rule) => {
        const ports = listOf(rule, 'ports');
        return ports.length === 0 || ports.some((pt) => pt['port'] === 5432 || pt['port'] === undefined);
      }),
    );
    const allowed = MAY_REACH_POSTGRES.has(pod.labels['app.kubernetes.io/name'] ?? '');
    if (reaches5432 !== allowed)
      problems.push(`${idOf(w)}: ${allowed ? 'cannot reach PostgreSQL (5432)' : 'may reach PostgreSQL (5432); only the gateway and its migration Job may'}`);
  }
  return problems;
};
