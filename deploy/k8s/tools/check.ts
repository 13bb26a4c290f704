// Renders and validates the Kubernetes manifests without a cluster (CI's "kubernetes manifests" phase).
//
//   node deploy/k8s/tools/check.ts
//
// For deploy/k8s/cluster and each overlay: render with `kubectl kustomize` (render.ts); validate every object
// against its kind's JSON schema (schemas.ts) and type-check it against the same model (type-check.ts);
// then Pressroom's rules (rules/). Also: every YAML file under deploy/k8s is used by a kustomization, the
// PrometheusRule matches deploy/prometheus/rules/, and every documented RabbitMQ URL names the namespace
// (KEDA resolves it from its own). What cannot be checked without a cluster: docs/deployment.md, "Validating
// the manifests".
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createReport } from '../../../scripts/checks/report.ts';
import type { Manifest, Rule } from './manifest.ts';
import { kubectlVersion, render, unreferencedYaml } from './render.ts';
import { alertRules } from './rules/alerts.ts';
import { networkRules } from './rules/network.ts';
import { podSecurityRules } from './rules/pod-security.ts';
import { containerRules, settingsRules } from './rules/pressroom-containers.ts';
import { referenceRules } from './rules/references.ts';
import { scalingRules } from './rules/scaling.ts';
import { validateSchemas } from './schemas.ts';
import { typeCheck } from './type-check.ts';

const k8s = join(import.meta.dirname, '..');
const repo = join(k8s, '..', '..');
const rel = (p: string) => relative(repo, p);
const TARGETS = [
  { name: 'cluster', dir: join(k8s, 'cluster'), overlay: false },
  { name: 'staging', dir: join(k8s, 'overlays', 'staging'), overlay: true },
  { name: 'production', dir: join(k8s, 'overlays', 'production'), overlay: true },
];
const RULES: Rule[] = [podSecurityRules, settingsRules, containerRules, scalingRules, referenceRules, networkRules];
const RULES_COVER = "Pressroom's rules (security, resources, probes, settings, ports, drain, scaling, references, network)";

/**
 * RABBITMQ_URL lives in Secrets Manager, so what can be checked is what the docs and comments tell people to put
 * there: KEDA's operator reads it (TriggerAuthentication `host`) from namespace `keda`, where the short Service
 * name does not resolve, so every `…@pressroom-rabbitmq` host must be `pressroom-rabbitmq.<namespace>.svc`.
 */
function shortBrokerHosts(namespaces: string[]): string[] {
  const under = (dir: string) => (readdirSync(join(repo, dir), { recursive: true, encoding: 'utf8' }) as string[]).map((f) => `${dir}/${f}`);
  const files = ['README.md', ...under('docs'), ...under('deploy/k8s')].filter((f) => /\.(md|ya?ml|sh)$/.test(f));
  const qualified = new Set(namespaces.flatMap((ns) => [`pressroom-rabbitmq.${ns}.svc`, `pressroom-rabbitmq.${ns}.svc.cluster.local`]));
  return files.flatMap((f) =>
    readFileSync(join(repo, f), 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        [...line.matchAll(/@(pressroom-rabbitmq[\w.-]*)/g)]
          .map((m) => m[1]!.replace(/\.$/, ''))
          .filter((host) => !qualified.has(host))
          .map((host) => `${f}:${i + 1}: host ${host}, not pressroom-rabbitmq.<${namespaces.join('|')}>.svc`),
      ),
  );
}

const report = createReport('kubernetes manifests');
report.section('render');
try {
  report.ok(`kubectl: ${kubectlVersion()}`);
} catch (err) {
  report.fail((err as Error).message);
  process.exit(report.finish());
}
const rendered: Array<{ label: string; objects: Manifest[]; overlay: boolean }> = [];
for (const t of TARGETS) {
  try {
    const objects = render(t.dir);
    report.ok(`${t.name}: kubectl kustomize ${rel(t.dir)} (${objects.length} objects)`);
    rendered.push({ label: t.name, objects, overlay: t.overlay });
  } catch (err) {
    report.fail(`${t.name}: render ${rel(t.dir)}`, [(err as Error).message]);
  }
}
const unused = unreferencedYaml(
  k8s,
  TARGETS.map((t) => t.dir),
);
report.expect(
  unused.map((f) => `${rel(f)} is not referenced by any kustomization`),
  'every YAML file under deploy/k8s is used by a kustomization',
);

report.section('schemas');
for (const { label, objects } of rendered)
  report.expect(await validateSchemas(objects), `${label}: ${objects.length} objects valid against their JSON schemas`);
const typed = typeCheck(rendered);
report.expect(typed.problems, `every object type-checks against its model (no unknown fields, right types): tsc on ${typed.checked} objects`);

report.section("Pressroom's rules");
for (const { label, objects, overlay } of rendered)
  report.expect(
    RULES.flatMap((rule) => rule(objects, overlay)),
    `${label}: ${RULES_COVER}`,
  );
const overlayNamespaces = rendered.flatMap((r) => (r.overlay ? r.objects.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name) : []));
report.expect(shortBrokerHosts(overlayNamespaces), 'documented RabbitMQ URLs (RABBITMQ_URL, which KEDA reads from namespace keda) name the namespace');
const staging = rendered.find((r) => r.label === 'staging');
if (staging)
  report.expect(alertRules(staging.objects), 'PrometheusRule matches deploy/prometheus/rules/, its job names exist, every alert has a runbook section');
process.exit(report.finish());
