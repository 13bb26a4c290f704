// Layer boundaries, checked rather than hoped for: workers never reach the database layer, libs never import
// services, and no package imports another package's files except through its `src/index.ts`; libs name no
// service's stages or breakers, and each metric is declared once.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// PRESSROOM_ROOT: another tree to check (the check's own test).
const root = process.env['PRESSROOM_ROOT'] ?? join(import.meta.dirname, '..');
const WORKERS = ['research', 'llm', 'publisher'];
const problems: string[] = [];

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
// Libraries own what they name: no lib decides by a stage's name or names a service's breakers (the service says
// what it needs: StageAlerting, a breaker's scope), and each metric is declared in one file, by the package that
// owns it. libs/contracts defines the stages; libs/test-support builds fixtures for them.
const STAGE_TEST = /\bstage\s*(?:===|!==)\s*'(?:research|write|publish)'|'(?:research|write|publish)'\s*(?:===|!==)\s*stage\b/;
const BREAKER_NAME = /['`](?:search|fetch|webhook|wordpress|llm):/;
const metricFiles = new Map<string, Set<string>>();

/** Every source file in a src folder of libs and services, with its area and package. */
function* packageSources(): Generator<{ area: string; pkg: string; file: string }> {
  for (const area of ['libs', 'services']) {
    for (const pkg of readdirSync(join(root, area))) {
      const src = join(root, area, pkg, 'src');
      try {
        statSync(src);
      } catch {
        continue;
      }
      for (const file of sourceFiles(src)) yield { area, pkg, file };
    }
  }
}

for (const { area, pkg, file } of packageSources()) {
  const where = relative(root, file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? '';
    if (area === 'services' && WORKERS.includes(pkg) && (spec === 'pg' || spec.includes('gateway') || /\/db\//.test(spec)))
      problems.push(`${where}: the ${pkg} worker must not touch the database layer (imports ${spec})`);
    if (area === 'libs' && /^@pressroom\/(gateway|research|llm|publisher)$/.test(spec)) problems.push(`${where}: a lib must not import a service (${spec})`);
    if (/^@pressroom\/[\w-]+\/.+/.test(spec)) problems.push(`${where}: import ${spec.split('/').slice(0, 2).join('/')} through its index, not ${spec}`);
    if (spec.startsWith('.') && /\.\.\/\.\.\/\.\.\/(libs|services)\//.test(spec)) problems.push(`${where}: reaches into another package by path (${spec})`);
  }
  for (const [, name] of text.matchAll(/'(pressroom_[a-z0-9_]+)'/g)) metricFiles.set(name!, (metricFiles.get(name!) ?? new Set()).add(where));
  if (area !== 'libs' || pkg === 'contracts' || pkg === 'test-support') continue;
  text.split('\n').forEach((line, i) => {
    if (STAGE_TEST.test(line)) problems.push(`${where}:${i + 1}: a lib decides by a stage's name; let the service say what it needs`);
    if (BREAKER_NAME.test(line)) problems.push(`${where}:${i + 1}: a lib names a service's breaker or provider`);
  });
}
for (const [name, files] of metricFiles)
  if (files.size > 1) problems.push(`metric ${name} is declared in ${files.size} files (${[...files].join(', ')}); declare it once, where it is owned`);

if (problems.length > 0) {
  process.stderr.write(`layer boundary violations:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write('layer boundaries hold\n');
