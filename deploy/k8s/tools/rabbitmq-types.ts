// The RabbitMQ operators' custom resources have no published model package, so their shape is written here:
// the fields of rabbitmq.com/v1beta1 RabbitmqCluster (Cluster Operator) and User / Permission (Messaging
// Topology Operator) that a Pressroom deployment may use, from the operators' CRDs. check.ts type-checks the
// rendered objects against these interfaces (unknown fields are errors) and checks the required fields at run
// time. It is a structural check, not the operators' full validation.
import type { IAffinity } from 'kubernetes-models/v1/Affinity';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IToleration } from 'kubernetes-models/v1/Toleration';

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface ClusterReference {
  name?: string;
  namespace?: string;
  connectionSecret?: { name: string };
}

export interface IRabbitmqCluster {
  apiVersion: 'rabbitmq.com/v1beta1';
  kind: 'RabbitmqCluster';
  metadata: Meta;
  spec: {
    replicas?: number;
    image?: string;
    imagePullSecrets?: Array<{ name: string }>;
    service?: { type?: 'ClusterIP' | 'LoadBalancer' | 'NodePort'; annotations?: Record<string, string>; ipFamilyPolicy?: string };
    persistence?: { storageClassName?: string; storage?: string | number };
    resources?: IResourceRequirements;
    affinity?: IAffinity;
    tolerations?: IToleration[];
    terminationGracePeriodSeconds?: number;
    delayStartSeconds?: number;
    skipPostDeploySteps?: boolean;
    autoEnableAllFeatureFlags?: boolean;
    rabbitmq?: {
      additionalConfig?: string;
      advancedConfig?: string;
      envConfig?: string;
      erlangInetConfig?: string;
      additionalPlugins?: string[];
    };
    tls?: { secretName?: string; caSecretName?: string; disableNonTLSListeners?: boolean };
    secretBackend?: { externalSecret?: { name?: string }; vault?: Record<string, unknown> };
    override?: { statefulSet?: Record<string, unknown>; service?: Record<string, unknown> };
  };
}

export interface IUser {
  apiVersion: 'rabbitmq.com/v1beta1';
  kind: 'User';
  metadata: Meta;
  spec: {
    rabbitmqClusterReference: ClusterReference;
    tags?: Array<'management' | 'policymaker' | 'monitoring' | 'administrator' | 'impersonator'>;
    importCredentialsSecret?: { name: string };
  };
}

export interface IPermission {
  apiVersion: 'rabbitmq.com/v1beta1';
  kind: 'Permission';
  metadata: Meta;
  spec: {
    vhost: string;
    user?: string;
    userReference?: { name: string };
    permissions: { configure?: string; write?: string; read?: string };
    rabbitmqClusterReference: ClusterReference;
  };
}

type Check = (o: Record<string, unknown>) => string[];
const spec = (o: Record<string, unknown>) => (o['spec'] ?? {}) as Record<string, Record<string, unknown> & { name?: unknown }>;

/** Run-time checks of what the CRDs require. */
export const RABBITMQ_CHECKS: Record<string, Check> = {
  RabbitmqCluster: (o) => {
    const s = spec(o) as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof s['replicas'] !== 'number' || !Number.isInteger(s['replicas']) || s['replicas'] < 1) problems.push('spec.replicas must be a positive integer');
    return problems;
  },
  User: (o) => (typeof spec(o)['rabbitmqClusterReference']?.name === 'string' ? [] : ['spec.rabbitmqClusterReference.name is required']),
  Permission: (o) => {
    const s = spec(o);
    const problems: string[] = [];
    if (typeof (s as Record<string, unknown>)['vhost'] !== 'string') problems.push('spec.vhost is required');
    if (!s['permissions']) problems.push('spec.permissions is required');
    if (!(s as Record<string, unknown>)['user'] && !s['userReference']) problems.push('spec.user or spec.userReference is required');
    if (typeof s['rabbitmqClusterReference']?.name !== 'string') problems.push('spec.rabbitmqClusterReference.name is required');
    return problems;
  },
};
