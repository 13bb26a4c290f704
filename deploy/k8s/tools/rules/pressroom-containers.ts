// Pressroom's own containers: settings that exist in libs/config, Secrets that an ExternalSecret produces,
// the ports and probes the services serve, a writable /tmp, and a grace period longer than the drain.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema, SECRET_SETTINGS } from '@pressroom/config';
import { externalSecretNames, findObject, get, isObj, labelsOf, listOf, pressroomContainers, type Obj, type Rule } from '../manifest.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const PORT_SETTING: Record<string, string> = { gateway: 'GATEWAY_PORT', research: 'RESEARCH_PORT', llm: 'LLM_PORT', publisher: 'PUBLISHER_PORT' };
const KNOWN_ENV = new Set([
  ...Object.keys(ConfigSchema.properties),
  ...SECRET_SETTINGS.map((s) => `${s}_FILE`),
  // Read by the OpenTelemetry SDK or Node itself, and the downward-API helpers they use.
  'OTEL_RESOURCE_ATTRIBUTES',
  'NODE_OPTIONS',
  'POD_NAME',
  'POD_NAMESPACE',
]);

export const settingsRules: Rule = (objects) => {
  const data = labelsOf(get(findObject(objects, 'ConfigMap', 'pressroom-config'), 'data'));
  const problems = Object.keys(data)
    .filter((key) => !KNOWN_ENV.has(key))
    .map((key) => `ConfigMap/pressroom-config: ${key} is not a setting of libs/config/src/schema.ts`);
  const secrets = externalSecretNames(objects);
  for (const { container: c, id } of pressroomContainers(objects)) {
    for (const e of listOf(c, 'env')) {
      if (!KNOWN_ENV.has(String(e['name']))) problems.push(`${id}: env ${String(e['name'])} is not a setting of libs/config/src/schema.ts`);
      const ref = get(e, 'valueFrom', 'secretKeyRef');
      if (ref && !secrets.has(String(get(ref, 'name'))))
        problems.push(`${id}: env ${String(e['name'])} reads Secret ${String(get(ref, 'name'))}, which no ExternalSecret produces`);
    }
    for (const from of listOf(c, 'envFrom')) {
      const name = get(from, 'configMapRef', 'name');
      if (name !== undefined && !findObject(objects, 'ConfigMap', String(name))) problems.push(`${id}: envFrom ConfigMap ${String(name)} does not exist`);
    }
  }
  return problems;
};

export const containerRules: Rule = (objects) => {
  const configData = labelsOf(get(findObject(objects, 'ConfigMap', 'pressroom-config'), 'data'));
  const problems: string[] = [];
  for (const { workload: w, pod, container: c, service, id } of pressroomContainers(objects)) {
    const env = listOf(c, 'env');
    const setting = (name: string) => {
      const e = env.find((x) => x['name'] === name);
      return e ? (typeof e['value'] === 'string' ? e['value'] : undefined) : configData[name];
    };
    const volumes = listOf(pod.spec, 'volumes');
    if (
      !listOf(c, 'volumeMounts').some(
        (mt) =>
          mt['mountPath'] === '/tmp' &&
          isObj(
            get(
              volumes.find((v) => v['name'] === mt['name']),
              'emptyDir',
            ),
          ),
      )
    )
      problems.push(`${id}: /tmp must be an emptyDir (the root filesystem is read-only)`);
    if (w.kind === 'Job') {
      if (service !== 'gateway') problems.push(`${id}: only the gateway image runs jobs`);
      const [program, script] = listOf<string>(c, 'command');
      if (program !== 'node' || !script) problems.push(`${id}: command must be ["node", "<script>"]`);
      else if (!existsSync(join(root, script))) problems.push(`${id}: ${script} does not exist in the repository (the image would fail to start)`);
      continue;
    }
    if (pod.labels['app.kubernetes.io/name'] !== service)
      problems.push(`${id}: runs ${service} but the pod is labelled ${pod.labels['app.kubernetes.io/name']}`);
    const ports = listOf<Obj>(c, 'ports');
    const hasPort = (name: string, port: string | undefined) => ports.some((p) => String(p['containerPort']) === port && p['name'] === name);
    const port = setting(PORT_SETTING[service]!);
    if (!hasPort('http', port)) problems.push(`${id}: needs a port named http on ${PORT_SETTING[service]}=${port}`);
    if (get(c, 'readinessProbe', 'httpGet', 'path') !== '/readyz') problems.push(`${id}: readinessProbe must GET /readyz`);
    if (get(c, 'livenessProbe', 'httpGet', 'path') !== '/healthz') problems.push(`${id}: livenessProbe must GET /healthz`);
    // The gateway's operations endpoints are on their own port, never the public API port.
    if (service === 'gateway') {
      const opsPort = setting('GATEWAY_OPS_PORT') ?? '9080';
      if (!hasPort('ops', opsPort)) problems.push(`${id}: needs a port named ops on GATEWAY_OPS_PORT=${opsPort}`);
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
        if (get(c, probe, 'httpGet', 'port') !== 'ops') problems.push(`${id}: ${probe} must use the ops port`);
    }
    const drainS = Number(setting('SHUTDOWN_TIMEOUT_MS') ?? '10000') / 1000;
    const preStop = listOf<string>(c, 'lifecycle', 'preStop', 'exec', 'command');
    const sleepS = preStop[0] === 'sleep' ? Number(preStop[1]) : Number(get(c, 'lifecycle', 'preStop', 'sleep', 'seconds') ?? 0);
    const grace = Number(get(pod.spec, 'terminationGracePeriodSeconds') ?? 30);
    if (!(grace >= sleepS + drainS + 5))
      problems.push(`${id}: terminationGracePeriodSeconds ${grace} must exceed preStop ${sleepS} s + SHUTDOWN_TIMEOUT_MS ${drainS} s + 5 s margin`);
  }
  return problems;
};
