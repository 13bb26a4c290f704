// Validates rendered objects against the models of their kinds: kubernetes-models for the built-in kinds,
// @kubernetes-models/{external-secrets,keda,prometheus-operator} for those CRDs, rabbitmq-types.ts for the
// RabbitMQ operators' (which publish no model). The models' JSON schemas let unknown fields through, so
// type-check.ts also compiles every object against the same models.
import { join } from 'node:path';
import { idOf, type Manifest } from './manifest.ts';
import { RABBITMQ_CHECKS } from './rabbitmq-types.ts';

export const RABBITMQ_TYPES = join(import.meta.dirname, 'rabbitmq-types.ts');

/** apiVersion|kind → the module of its model (class `name`, interface `I${name}`). */
const SCHEMAS = new Map<string, { module: string; name: string }>();
const add = (apiVersion: string, kinds: string[], moduleOf: (kind: string) => string) => {
  for (const kind of kinds) SCHEMAS.set(`${apiVersion}|${kind}`, { module: moduleOf(kind), name: kind });
};
add('v1', ['ConfigMap', 'Service', 'ServiceAccount', 'Namespace', 'Secret', 'PersistentVolumeClaim'], (k) => `kubernetes-models/v1/${k}`);
add('apps/v1', ['Deployment', 'StatefulSet'], (k) => `kubernetes-models/apps/v1/${k}`);
add('batch/v1', ['Job'], (k) => `kubernetes-models/batch/v1/${k}`);
add('policy/v1', ['PodDisruptionBudget'], (k) => `kubernetes-models/policy/v1/${k}`);
add('networking.k8s.io/v1', ['NetworkPolicy', 'Ingress'], (k) => `kubernetes-models/networking.k8s.io/v1/${k}`);
add('autoscaling/v2', ['HorizontalPodAutoscaler'], (k) => `kubernetes-models/autoscaling/v2/${k}`);
add(
  'external-secrets.io/v1',
  ['ExternalSecret', 'ClusterSecretStore', 'SecretStore'],
  (k) => `@kubernetes-models/external-secrets/external-secrets.io/v1/${k}`,
);
add('keda.sh/v1alpha1', ['ScaledObject', 'TriggerAuthentication'], (k) => `@kubernetes-models/keda/keda.sh/v1alpha1/${k}`);
add('monitoring.coreos.com/v1', ['ServiceMonitor', 'PrometheusRule'], (k) => `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${k}`);
add('monitoring.coreos.com/v1alpha1', ['AlertmanagerConfig'], (k) => `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/${k}`);
add('rabbitmq.com/v1beta1', ['RabbitmqCluster', 'User', 'Permission'], () => RABBITMQ_TYPES);

export const schemaOf = (m: Manifest) => SCHEMAS.get(`${m.apiVersion}|${m.kind}`);

/** Problems of each object against its kind's JSON schema; a kind without a known schema is a problem too. */
export async function validateSchemas(objects: Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  for (const m of objects) {
    const schema = schemaOf(m);
    if (!schema) {
      problems.push(`${idOf(m)}: no schema known for ${m.apiVersion} ${m.kind} (add it to deploy/k8s/tools/schemas.ts)`);
    } else if (schema.module === RABBITMQ_TYPES) {
      for (const p of RABBITMQ_CHECKS[m.kind]!(m)) problems.push(`${idOf(m)}: ${p}`);
    } else {
      const mod = (await import(schema.module)) as Record<string, new (data: unknown) => { validate(): void }>;
      try {
        new mod[schema.name]!(structuredClone(m)).validate();
      } catch (err) {
        problems.push(`${idOf(m)}: ${(err as Error).message}`);
      }
    }
  }
  return problems;
}
