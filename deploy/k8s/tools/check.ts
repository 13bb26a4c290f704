// Renders and validates the Kubernetes manifests without a cluster (CI's "kubernetes manifests" phase).
//
//   node deploy/k8s/tools/check.ts
//
// For deploy/k8s/cluster and each overlay: render with `kubectl kustomize` (render.ts); validate every object
// against its kind's JSON schema (schemas.ts) and type-check it against the same model (type-check.ts);
// then Pressroom's rules (rules/). Also: every YAML file under deploy/k8s is used by a kustomization, and
// the PrometheusRule matches deploy/prometheus/rules/. What cannot be checked without a cluster:
// docs/deployment.md, "Validating the manifests".
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
const rel = (p: string) => relative(join(k8s, '..', '..'), p);
const TARGETS = [
  { name: 'cluster', dir: join(k8s, 'cluster'), overlay: false },
  { name: 'staging', dir: join(k8s, 'overlays', 'staging'), overlay: true },
  { name: 'production', dir: join(k8s, 'overlays', 'production'), overlay: true },
];
const RULES: Rule[] = [podSecurityRules, settingsRules, containerRules, scalingRules, referenceRules, networkRules];
const RULES_COVER = "Pressroom's rules (security, resources, probes, settings, ports, drain, scaling, references, network)";

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
const staging = rendered.find((r) => r.label === 'staging');
if (staging)
  report.expect(alertRules(staging.objects), 'PrometheusRule matches deploy/prometheus/rules/, its job names exist, every alert has a runbook section');
process.exit(report.finish());
