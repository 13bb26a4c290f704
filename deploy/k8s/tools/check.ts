// Renders and validates the Kubernetes manifests without a cluster (run by scripts/check-k8s.sh).
//
//   node deploy/k8s/tools/check.ts [--kubectl=auto|off|require] [--out DIR]
//
// For deploy/k8s/cluster and each overlay:
//  1. render with kustomize-lite.ts; when `kubectl` is installed, also with `kubectl kustomize`, and require
//     both renderings to be the same objects (so the fallback renderer cannot drift from kustomize);
//  2. validate every object against its JSON schema (kubernetes-models for the built-in kinds,
//     @kubernetes-models/{external-secrets,keda,prometheus-operator} for those CRDs; rabbitmq.com structurally);
//  3. type-check every object against the same models with tsc, which rejects unknown fields (a misindented
//     key, a typo) that the JSON schemas let through;
//  4. check Pressroom's own rules: probes, resources, non-root, read-only root with /tmp, grace period longer
//     than the drain, env names known to the config schema, references between objects (Services, PDBs,
//     HPA, ScaledObjects and their queues, Secrets, ServiceMonitors), and that only the gateway and its
//     migration Job may reach PostgreSQL.
// Also checks that base/prometheus-rule.yaml matches deploy/prometheus/rules/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { ConfigSchema, SECRET_SETTINGS } from '@pressroom/config';
import { KustomizeError, filesRead, idOf, isObj, render, type Json, type Manifest, type Obj } from './kustomize-lite.ts';
import { renderPrometheusRule, TARGET as RULE_FILE } from './prometheus-rule.ts';
import { RABBITMQ_CHECKS } from './rabbitmq-types.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const rel = (p: string) => relative(root, p) || '.';

const TARGETS = [
  { name: 'cluster', dir: join(root, 'deploy/k8s/cluster'), overlay: false },
  { name: 'staging', dir: join(root, 'deploy/k8s/overlays/staging'), overlay: true },
  { name: 'production', dir: join(root, 'deploy/k8s/overlays/production'), overlay: true },
];

/** apiVersion|kind → the module of its model (class `name`, interface `I${name}`). */
const SCHEMAS: Record<string, { module: string; name: string }> = {};
const add = (apiVersion: string, kind: string, module: string) => (SCHEMAS[`${apiVersion}|${kind}`] = { module, name: kind });
for (const kind of ['ConfigMap', 'Service', 'ServiceAccount', 'Namespace', 'Secret', 'PersistentVolumeClaim']) add('v1', kind, `kubernetes-models/v1/${kind}`);
for (const kind of ['Deployment', 'StatefulSet']) add('apps/v1', kind, `kubernetes-models/apps/v1/${kind}`);
add('batch/v1', 'Job', 'kubernetes-models/batch/v1/Job');
add('policy/v1', 'PodDisruptionBudget', 'kubernetes-models/policy/v1/PodDisruptionBudget');
add('networking.k8s.io/v1', 'NetworkPolicy', 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy');
add('networking.k8s.io/v1', 'Ingress', 'kubernetes-models/networking.k8s.io/v1/Ingress');
add('autoscaling/v2', 'HorizontalPodAutoscaler', 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler');
for (const kind of ['ExternalSecret', 'ClusterSecretStore', 'SecretStore'])
  add('external-secrets.io/v1', kind, `@kubernetes-models/external-secrets/external-secrets.io/v1/${kind}`);
for (const kind of ['ScaledObject', 'TriggerAuthentication']) add('keda.sh/v1alpha1', kind, `@kubernetes-models/keda/keda.sh/v1alpha1/${kind}`);
for (const kind of ['ServiceMonitor', 'PrometheusRule']) add('monitoring.coreos.com/v1', kind, `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`);
const RABBITMQ_TYPES = join(import.meta.dirname, 'rabbitmq-types.ts');
for (const kind of ['RabbitmqCluster', 'User', 'Permission']) SCHEMAS[`rabbitmq.com/v1beta1|${kind}`] = { module: RABBITMQ_TYPES, name: kind };

// ---------------------------------------------------------------------------------------------------------------

let failures = 0;
let skips = 0;
const out = (line: string) => process.stdout.write(`${line}\n`);
const ok = (msg: string) => out(`  ok    ${msg}`);
const skip = (msg: string) => {
  skips++;
  out(`  skip  ${msg}`);
};
function fail(msg: string, details: string[] = []): void {
  failures++;
  process.stderr.write(`  FAIL  ${msg}\n${details.map((d) => `        ${d}\n`).join('')}`);
}
function expect(problems: string[], what: string): void {
  if (problems.length === 0) ok(what);
  else fail(what, problems);
}

const args = process.argv.slice(2);
const kubectlMode = (args.find((a) => a.startsWith('--kubectl='))?.split('=')[1] ?? 'auto') as 'auto' | 'off' | 'require';
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 ? args[outIndex + 1] : undefined;

function kubectlVersion(): string | undefined {
  if (kubectlMode === 'off') return undefined;
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return r.stdout.replace(/\s+/g, ' ').trim();
}

function kubectlRender(dir: string): Manifest[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new KustomizeError(`kubectl kustomize ${rel(dir)}: ${r.stderr.trim()}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

/** Object-by-object comparison of two renderings; returns the differences. */
function compareRenderings(a: Manifest[], b: Manifest[]): string[] {
  const byId = (list: Manifest[]) => new Map(list.map((m) => [`${m.apiVersion} ${idOf(m)}`, m]));
  const ma = byId(a);
  const mb = byId(b);
  const problems: string[] = [];
  for (const id of new Set([...ma.keys(), ...mb.keys()])) {
    const x = ma.get(id);
    const y = mb.get(id);
    if (!x) problems.push(`${id}: only in kubectl kustomize's output`);
    else if (!y) problems.push(`${id}: only in kustomize-lite's output`);
    else if (!isDeepStrictEqual(x, y)) problems.push(`${id}: differs (${firstDifference(x, y, '')})`);
  }
  return problems;
}

function firstDifference(x: Json, y: Json, path: string): string {
  if (isObj(x) && isObj(y)) {
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (!isDeepStrictEqual(x[k], y[k])) return firstDifference(x[k] ?? null, y[k] ?? null, `${path}.${k}`);
    }
  }
  if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
    for (let i = 0; i < x.length; i++) if (!isDeepStrictEqual(x[i], y[i])) return firstDifference(x[i]!, y[i]!, `${path}[${i}]`);
  }
  return `${path || '(root)'}: lite ${JSON.stringify(x)?.slice(0, 120)} vs kubectl ${JSON.stringify(y)?.slice(0, 120)}`;
}

// --- schema validation -----------------------------------------------------------------------------------------

async function validateSchemas(target: string, objects: Manifest[]): Promise<void> {
  const problems: string[] = [];
  for (const m of objects) {
    const schema = SCHEMAS[`${m.apiVersion}|${m.kind}`];
    if (!schema) {
      problems.push(`${idOf(m)}: no schema known for ${m.apiVersion} ${m.kind} (add it to SCHEMAS in deploy/k8s/tools/check.ts)`);
      continue;
    }
    if (schema.module === RABBITMQ_TYPES) {
      for (const p of RABBITMQ_CHECKS[m.kind]!(m)) problems.push(`${idOf(m)}: ${p}`);
      continue;
    }
    const mod = (await import(schema.module)) as Record<string, new (data: unknown) => { validate(): void }>;
    try {
      new mod[schema.name]!(structuredClone(m)).validate();
    } catch (err) {
      problems.push(`${idOf(m)}: ${(err as Error).message}`);
    }
  }
  expect(problems, `${target}: ${objects.length} objects valid against their JSON schemas`);
}

/** One TypeScript file with every rendered object typed by its model: tsc reports unknown fields and wrong types. */
function typeCheck(rendered: Array<{ target: string; objects: Manifest[] }>): void {
  const dir = join(root, 'node_modules', '.cache', 'pressroom-k8s-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const imports = new Map<string, string>();
  for (const { objects } of rendered)
    for (const m of objects) {
      const schema = SCHEMAS[`${m.apiVersion}|${m.kind}`];
      const key = schema && `${schema.module}#${schema.name}`;
      if (key && !imports.has(key)) imports.set(key, `I${schema.name}_${imports.size}`);
    }
  // One object per constant; objectStarts maps tsc's line numbers back to the objects.
  const header = [...imports.entries()].map(([key, alias]) => {
    const [module, name] = key.split('#');
    const spec = module === RABBITMQ_TYPES ? relative(dir, RABBITMQ_TYPES) : module;
    return `import type { I${name} as ${alias} } from '${spec}';`;
  });
  const lines: string[] = [...header];
  const objectStarts: Array<{ line: number; id: string }> = [];
  let n = 0;
  for (const { target, objects } of rendered) {
    for (const m of objects) {
      const schema = SCHEMAS[`${m.apiVersion}|${m.kind}`];
      if (!schema) continue;
      objectStarts.push({ line: lines.length + 1, id: `${target} ${idOf(m)}` });
      lines.push(...`export const m${n++}: ${imports.get(`${schema.module}#${schema.name}`)} = ${JSON.stringify(m, null, 2)};`.split('\n'));
    }
  }
  writeFileSync(join(dir, 'manifests.ts'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2024',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        types: [],
      },
      files: ['manifests.ts'],
    }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const problems: string[] = [];
  for (const line of `${r.stdout}${r.stderr}`.split('\n')) {
    const match = /manifests\.ts\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
    if (match) {
      const at = Number(match[1]);
      const owner = objectStarts.filter((s) => s.line <= at).at(-1);
      problems.push(`${owner?.id ?? '?'}: ${match[2]} (near "${lines[at - 1]?.trim()}")`);
    } else if (/error/i.test(line)) problems.push(line.trim());
  }
  if (r.status !== 0 && problems.length === 0) problems.push(`tsc exited with ${r.status}`);
  expect(problems, `every object type-checks against its model (no unknown fields, right types): tsc on ${objectStarts.length} objects`);
  if (problems.length === 0) rmSync(dir, { recursive: true, force: true });
}

// --- Pressroom's rules -----------------------------------------------------------------------------------------

type PodSpec = Obj & { containers: Array<Obj & { name: string }> };
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job']);
const STAGE_OF: Record<string, string> = { research: 'research', llm: 'write', publisher: 'publish' };
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

const get = (o: Json | undefined, ...path: string[]): Json | undefined => {
  let cur: Json | undefined = o;
  for (const p of path) cur = isObj(cur ?? null) ? (cur as Obj)[p] : undefined;
  return cur;
};
const labelsOf = (o: Json | undefined): Record<string, string> => (isObj(o ?? null) ? (o as Record<string, string>) : {});
const podTemplate = (m: Manifest): { labels: Record<string, string>; spec: PodSpec } | undefined => {
  const tpl = m.kind === 'Job' || m.kind === 'Deployment' || m.kind === 'StatefulSet' ? get(m, 'spec', 'template') : undefined;
  if (!isObj(tpl ?? null)) return undefined;
  return { labels: labelsOf(get(tpl, 'metadata', 'labels')), spec: get(tpl, 'spec') as PodSpec };
};

function selectorMatches(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (!isObj(selector ?? null)) return true; // {} selects everything
  const matchLabels = labelsOf(get(selector, 'matchLabels'));
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  const exprs = get(selector, 'matchExpressions');
  for (const e of Array.isArray(exprs) ? exprs : []) {
    const key = String(get(e, 'key'));
    const values = (get(e, 'values') as string[] | undefined) ?? [];
    const op = get(e, 'operator');
    if (op === 'In' && !values.includes(labels[key] ?? '\u0000')) return false;
    if (op === 'NotIn' && key in labels && values.includes(labels[key]!)) return false;
    if (op === 'Exists' && !(key in labels)) return false;
    if (op === 'DoesNotExist' && key in labels) return false;
  }
  return true;
}

/** Service selectors are plain label maps. */
const mapMatches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function projectRules(target: string, objects: Manifest[], overlay: boolean): void {
  const problems: string[] = [];
  const find = (kind: string, name: string) => objects.find((m) => m.kind === kind && m.metadata.name === name);
  const workloads = objects.filter((m) => WORKLOAD_KINDS.has(m.kind));
  const config = find('ConfigMap', 'pressroom-config');
  const configData = labelsOf(get(config, 'data'));
  const secretNames = new Set(objects.filter((m) => m.kind === 'ExternalSecret').map((m) => String(get(m, 'spec', 'target', 'name') ?? m.metadata.name)));
  const scaled = new Set([
    ...objects.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => String(get(m, 'spec', 'scaleTargetRef', 'name'))),
    ...objects.filter((m) => m.kind === 'ScaledObject').map((m) => String(get(m, 'spec', 'scaleTargetRef', 'name'))),
  ]);

  for (const key of Object.keys(configData)) if (!KNOWN_ENV.has(key)) problems.push(`ConfigMap/pressroom-config: ${key} is not a setting of libs/config/src/schema.ts`);

  const namespaceObj = objects.find((m) => m.kind === 'Namespace');
  if (overlay) {
    if (!namespaceObj) problems.push('the overlay defines no Namespace');
    for (const m of objects)
      if (m.kind !== 'Namespace' && m.metadata.namespace !== namespaceObj?.metadata.name) problems.push(`${idOf(m)}: not in the overlay's namespace ${namespaceObj?.metadata.name}`);
  }

  for (const w of workloads) {
    const pod = podTemplate(w);
    if (!pod) continue;
    const id = idOf(w);
    const podSec = (get(pod.spec, 'securityContext') ?? {}) as Obj;
    const volumes = (get(pod.spec, 'volumes') as Obj[] | undefined) ?? [];
    if (get(pod.spec, 'automountServiceAccountToken') !== false) problems.push(`${id}: automountServiceAccountToken must be false (no pod needs the API)`);
    if (!selectorMatches(get(w, 'spec', 'selector'), pod.labels) && w.kind !== 'Job') problems.push(`${id}: spec.selector does not match the pod template's labels`);
    if (podSec['runAsNonRoot'] !== true) problems.push(`${id}: pod securityContext.runAsNonRoot must be true`);
    if (get(podSec, 'seccompProfile', 'type') !== 'RuntimeDefault') problems.push(`${id}: pod seccompProfile must be RuntimeDefault`);
    for (const c of pod.spec.containers) {
      const cid = `${id} container ${c.name}`;
      const sec = (get(c, 'securityContext') ?? {}) as Obj;
      if (sec['readOnlyRootFilesystem'] !== true) problems.push(`${cid}: readOnlyRootFilesystem must be true`);
      if (sec['allowPrivilegeEscalation'] !== false) problems.push(`${cid}: allowPrivilegeEscalation must be false`);
      if (!((get(sec, 'capabilities', 'drop') as string[] | undefined) ?? []).includes('ALL')) problems.push(`${cid}: capabilities must drop ALL`);
      for (const r of ['requests', 'limits'])
        for (const res of ['cpu', 'memory']) if (get(c, 'resources', r, res) === undefined) problems.push(`${cid}: resources.${r}.${res} is missing`);
      if (w.kind !== 'Job') {
        if (!get(c, 'readinessProbe')) problems.push(`${cid}: no readinessProbe`);
        if (!get(c, 'livenessProbe')) problems.push(`${cid}: no livenessProbe`);
      }
      const image = String(get(c, 'image'));
      if (overlay && (image.endsWith(':latest') || !/[:@]/.test(image.split('/').at(-1) ?? ''))) problems.push(`${cid}: image ${image} has no pinned tag`);
      const mounts = (get(c, 'volumeMounts') as Obj[] | undefined) ?? [];
      for (const mount of mounts) {
        const vol = volumes.find((v) => v['name'] === mount['name']);
        if (!vol && !((get(w, 'spec', 'volumeClaimTemplates') as Obj[] | undefined) ?? []).some((t) => get(t, 'metadata', 'name') === mount['name']))
          problems.push(`${cid}: volumeMount ${String(mount['name'])} has no volume`);
      }

      const m = /(?:^|\/)pressroom\/(gateway|research|llm|publisher)(?:[:@]|$)/.exec(image);
      if (!m) continue;
      // --- Pressroom's own containers ---
      const service = m[1]!;
      const env = (get(c, 'env') as Obj[] | undefined) ?? [];
      const envValue = (name: string) => {
        const e = env.find((x) => x['name'] === name);
        return e ? (typeof e['value'] === 'string' ? e['value'] : undefined) : configData[name];
      };
      for (const e of env) if (!KNOWN_ENV.has(String(e['name']))) problems.push(`${cid}: env ${String(e['name'])} is not a setting of libs/config/src/schema.ts`);
      for (const e of env) {
        const ref = get(e, 'valueFrom', 'secretKeyRef');
        if (ref && !secretNames.has(String(get(ref, 'name')))) problems.push(`${cid}: env ${String(e['name'])} reads Secret ${String(get(ref, 'name'))}, which no ExternalSecret produces`);
      }
      for (const from of (get(c, 'envFrom') as Obj[] | undefined) ?? []) {
        const name = get(from, 'configMapRef', 'name');
        if (name !== undefined && !find('ConfigMap', String(name))) problems.push(`${cid}: envFrom ConfigMap ${String(name)} does not exist`);
      }
      if (!mounts.some((mt) => mt['mountPath'] === '/tmp' && isObj(get(volumes.find((v) => v['name'] === mt['name']), 'emptyDir') ?? null)))
        problems.push(`${cid}: /tmp must be an emptyDir (the root filesystem is read-only)`);
      if (w.kind === 'Job') {
        if (service !== 'gateway') problems.push(`${cid}: only the gateway image runs jobs`);
        const command = get(c, 'command') as string[] | undefined;
        const script = command?.[1];
        if (command?.[0] !== 'node' || !script) problems.push(`${cid}: command must be ["node", "<script>"]`);
        else if (!existsSync(join(root, script))) problems.push(`${cid}: ${script} does not exist in the repository (the image would fail to start)`);
        continue;
      }
      if (!mapMatches({ 'app.kubernetes.io/name': service }, pod.labels)) problems.push(`${cid}: runs ${service} but the pod is labelled ${pod.labels['app.kubernetes.io/name']}`);
      const port = envValue(PORT_SETTING[service]!);
      const ports = (get(c, 'ports') as Obj[] | undefined) ?? [];
      if (!ports.some((p) => String(p['containerPort']) === port && p['name'] === 'http')) problems.push(`${cid}: needs a port named http on ${PORT_SETTING[service]}=${port}`);
      if (get(c, 'readinessProbe', 'httpGet', 'path') !== '/readyz') problems.push(`${cid}: readinessProbe must GET /readyz`);
      // The gateway's operations endpoints are on their own port, never the public API port.
      if (service === 'gateway') {
        const opsPort = envValue('GATEWAY_OPS_PORT') ?? '9080';
        if (!ports.some((p) => String(p['containerPort']) === opsPort && p['name'] === 'ops')) problems.push(`${cid}: needs a port named ops on GATEWAY_OPS_PORT=${opsPort}`);
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) if (get(c, probe, 'httpGet', 'port') !== 'ops') problems.push(`${cid}: ${probe} must use the ops port`);
      }
      if (get(c, 'livenessProbe', 'httpGet', 'path') !== '/healthz') problems.push(`${cid}: livenessProbe must GET /healthz`);
      const drainS = Number(envValue('SHUTDOWN_TIMEOUT_MS') ?? '10000') / 1000;
      const preStop = get(c, 'lifecycle', 'preStop', 'exec', 'command') as string[] | undefined;
      const sleepS = preStop?.[0] === 'sleep' ? Number(preStop[1]) : Number(get(c, 'lifecycle', 'preStop', 'sleep', 'seconds') ?? 0);
      const grace = Number(get(pod.spec, 'terminationGracePeriodSeconds') ?? 30);
      if (!(grace >= sleepS + drainS + 5))
        problems.push(`${cid}: terminationGracePeriodSeconds ${grace} must exceed preStop ${sleepS} s + SHUTDOWN_TIMEOUT_MS ${drainS} s + 5 s margin`);
      if (scaled.has(w.metadata.name) && get(w, 'spec', 'replicas') !== undefined) problems.push(`${id}: an autoscaler owns the count, so spec.replicas must be absent`);
      if (!scaled.has(w.metadata.name)) problems.push(`${id}: no HorizontalPodAutoscaler or ScaledObject scales it`);
      if (!objects.some((o) => o.kind === 'PodDisruptionBudget' && selectorMatches(get(o, 'spec', 'selector'), pod.labels))) problems.push(`${id}: no PodDisruptionBudget covers it`);
      if (!objects.some((o) => o.kind === 'ServiceMonitor' && o.metadata.name === service)) problems.push(`${id}: no ServiceMonitor named ${service} (the alert rules match job="${service}")`);
    }
  }

  for (const svc of objects.filter((m) => m.kind === 'Service')) {
    const selector = labelsOf(get(svc, 'spec', 'selector'));
    const backing = workloads.filter((w) => w.kind !== 'Job' && mapMatches(selector, podTemplate(w)?.labels ?? {}));
    if (backing.length === 0) problems.push(`${idOf(svc)}: its selector matches no workload`);
    for (const p of (get(svc, 'spec', 'ports') as Obj[] | undefined) ?? []) {
      const tp = p['targetPort'];
      if (typeof tp === 'string' && !backing.some((w) => podTemplate(w)!.spec.containers.some((c) => ((get(c, 'ports') as Obj[] | undefined) ?? []).some((cp) => cp['name'] === tp))))
        problems.push(`${idOf(svc)}: targetPort ${tp} is no container port of the workload`);
    }
  }
  for (const pdb of objects.filter((m) => m.kind === 'PodDisruptionBudget')) {
    const sel = get(pdb, 'spec', 'selector');
    const operatorMade = labelsOf(get(sel, 'matchLabels'))['app.kubernetes.io/name'] === 'pressroom-rabbitmq';
    if (!operatorMade && !workloads.some((w) => selectorMatches(sel, podTemplate(w)?.labels ?? {}))) problems.push(`${idOf(pdb)}: its selector matches no workload`);
  }
  for (const hpa of objects.filter((m) => m.kind === 'HorizontalPodAutoscaler')) {
    if (!find('Deployment', String(get(hpa, 'spec', 'scaleTargetRef', 'name')))) problems.push(`${idOf(hpa)}: scale target does not exist`);
    if (Number(get(hpa, 'spec', 'minReplicas')) > Number(get(hpa, 'spec', 'maxReplicas'))) problems.push(`${idOf(hpa)}: minReplicas > maxReplicas`);
  }
  for (const so of objects.filter((m) => m.kind === 'ScaledObject')) {
    const name = String(get(so, 'spec', 'scaleTargetRef', 'name'));
    if (!find('Deployment', name)) problems.push(`${idOf(so)}: scale target ${name} does not exist`);
    if (Number(get(so, 'spec', 'minReplicaCount')) > Number(get(so, 'spec', 'maxReplicaCount'))) problems.push(`${idOf(so)}: minReplicaCount > maxReplicaCount`);
    for (const t of (get(so, 'spec', 'triggers') as Obj[] | undefined) ?? []) {
      if (t['type'] !== 'rabbitmq') continue;
      const queue = get(t, 'metadata', 'queueName');
      if (queue !== `${STAGE_OF[name]}.tasks`) problems.push(`${idOf(so)}: scales ${name} on ${String(queue)}, but its stage's queue is ${STAGE_OF[name]}.tasks`);
      if (get(t, 'metadata', 'mode') !== 'QueueLength') problems.push(`${idOf(so)}: mode must be QueueLength`);
      const auth = find('TriggerAuthentication', String(get(t, 'authenticationRef', 'name')));
      if (!auth) problems.push(`${idOf(so)}: its TriggerAuthentication does not exist`);
      for (const ref of (get(auth, 'spec', 'secretTargetRef') as Obj[] | undefined) ?? [])
        if (!secretNames.has(String(ref['name']))) problems.push(`${idOf(auth!)}: reads Secret ${String(ref['name'])}, which no ExternalSecret produces`);
    }
  }
  for (const sm of objects.filter((m) => m.kind === 'ServiceMonitor')) {
    const sel = get(sm, 'spec', 'selector');
    if (labelsOf(get(sel, 'matchLabels'))['app.kubernetes.io/name'] === 'pressroom-rabbitmq') continue; // made by the operator
    const services = objects.filter((s) => s.kind === 'Service' && selectorMatches(sel, labelsOf(get(s, 'metadata', 'labels'))));
    if (services.length === 0) problems.push(`${idOf(sm)}: selects no Service`);
    for (const ep of (get(sm, 'spec', 'endpoints') as Obj[] | undefined) ?? [])
      if (!services.every((s) => ((get(s, 'spec', 'ports') as Obj[] | undefined) ?? []).some((p) => p['name'] === ep['port']))) problems.push(`${idOf(sm)}: port ${String(ep['port'])} is not on the Service`);
  }

  // PostgreSQL: which pods may open 5432, according to the policies that select them.
  const policies = objects.filter((m) => m.kind === 'NetworkPolicy');
  const allows5432 = (labels: Record<string, string>) =>
    policies.some(
      (p) =>
        selectorMatches(get(p, 'spec', 'podSelector'), labels) &&
        ((get(p, 'spec', 'egress') as Obj[] | undefined) ?? []).some((rule) => {
          const ports = (get(rule, 'ports') as Obj[] | undefined) ?? [];
          return ports.length === 0 || ports.some((pt) => pt['port'] === 5432 || pt['port'] === undefined);
        }),
    );
  for (const w of workloads) {
    const pod = podTemplate(w)!;
    if (pod.labels['app.kubernetes.io/part-of'] !== 'pressroom') continue;
    const denied = policies.some((p) => {
      const types = (get(p, 'spec', 'policyTypes') as string[] | undefined) ?? [];
      return selectorMatches(get(p, 'spec', 'podSelector'), pod.labels) && types.includes('Ingress') && types.includes('Egress') && !get(p, 'spec', 'ingress') && !get(p, 'spec', 'egress');
    });
    if (overlay && !denied) problems.push(`${idOf(w)}: no default-deny NetworkPolicy selects its pods`);
    const name = pod.labels['app.kubernetes.io/name'] ?? '';
    const mayReachPostgres = ['gateway', 'migrate'].includes(name);
    if (overlay && allows5432(pod.labels) !== mayReachPostgres)
      problems.push(`${idOf(w)}: ${mayReachPostgres ? 'cannot reach PostgreSQL (5432)' : 'may reach PostgreSQL (5432); only the gateway and its migration Job may'}`);
  }

  expect(problems, `${target}: Pressroom's rules (probes, resources, security, drain, settings, references, network)`);
}

function rulesInSync(objects: Manifest[]): void {
  const problems: string[] = [];
  let current = '';
  try {
    current = readFileSync(RULE_FILE, 'utf8');
  } catch {
    // reported below
  }
  if (current !== renderPrometheusRule()) problems.push(`${rel(RULE_FILE)} is out of date with deploy/prometheus/rules/: run node deploy/k8s/tools/prometheus-rule.ts`);
  const rule = objects.find((m) => m.kind === 'PrometheusRule');
  const exprs = JSON.stringify(get(rule, 'spec', 'groups') ?? []);
  for (const match of exprs.matchAll(/job=~\\"([^\\]+)\\"/g))
    for (const job of match[1]!.split('|'))
      if (!objects.some((m) => m.kind === 'ServiceMonitor' && m.metadata.name === job)) problems.push(`the alert rules expect job="${job}", which no ServiceMonitor/Service provides`);
  // The runbook has a section per alert (a heading naming it).
  let runbook = '';
  try {
    runbook = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
  } catch {
    problems.push('docs/operations.md (the runbook) is missing');
  }
  const headings = runbook.split('\n').filter((l) => /^#{2,4} /.test(l));
  for (const group of (get(rule, 'spec', 'groups') as Obj[] | undefined) ?? [])
    for (const r of (get(group, 'rules') as Obj[] | undefined) ?? []) {
      const alert = r['alert'];
      if (typeof alert === 'string' && runbook && !headings.some((h) => new RegExp(`\\b${alert}\\b`).test(h)))
        problems.push(`alert ${alert} has no section in docs/operations.md (a heading naming it)`);
    }
  expect(problems, 'PrometheusRule matches deploy/prometheus/rules/, its job names exist, every alert has a runbook section');
}

// --- main ------------------------------------------------------------------------------------------------------

const kubectl = kubectlVersion();
out('== render');
if (kubectl) out(`  using kubectl (${kubectl}) to cross-check kustomize-lite`);
else if (kubectlMode === 'require') fail('kubectl is required (--kubectl=require) but not installed');
else skip(`kubectl ${kubectlMode === 'off' ? 'disabled' : 'not installed'}: rendered with kustomize-lite only, not cross-checked against kustomize`);

const rendered: Array<{ target: string; objects: Manifest[]; overlay: boolean }> = [];
for (const t of TARGETS) {
  try {
    const objects = render(t.dir);
    ok(`${t.name}: kustomize-lite renders ${rel(t.dir)} (${objects.length} objects)`);
    if (kubectl) {
      const theirs = kubectlRender(t.dir);
      expect(compareRenderings(objects, theirs), `${t.name}: kubectl kustomize renders the same ${theirs.length} objects`);
    }
    rendered.push({ target: t.name, objects, overlay: t.overlay });
    if (outDir) {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, `${t.name}.yaml`), objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
    }
  } catch (err) {
    fail(`${t.name}: render ${rel(t.dir)}`, [(err as Error).message]);
  }
}

// A YAML file that no kustomization reads is never deployed and never checked: almost always a mistake.
const unused = (readdirSync(join(root, 'deploy/k8s'), { recursive: true, encoding: 'utf8' }) as string[])
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(root, 'deploy/k8s', f))
  .filter((f) => !filesRead.has(f));
expect(unused.map((f) => `${rel(f)} is not referenced by any kustomization`), 'every YAML file under deploy/k8s is used by a kustomization');

out('\n== schemas');
for (const { target, objects } of rendered) await validateSchemas(target, objects);
typeCheck(rendered);

out("\n== Pressroom's rules");
for (const { target, objects, overlay } of rendered) projectRules(target, objects, overlay);
const staging = rendered.find((r) => r.target === 'staging');
if (staging) rulesInSync(staging.objects);

out('');
if (failures > 0) {
  out(`check-k8s: ${failures} check(s) failed, ${skips} skipped`);
  process.exit(1);
}
out(`check-k8s: all checks passed (${skips} skipped)`);
