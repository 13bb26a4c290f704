// Layer boundaries, checked rather than hoped for: workers never reach the database layer, libs never import
// services, and no package imports another package's files except through its `src/index.ts`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
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

for (const area of ['libs', 'services']) {
  for (const pkg of readdirSync(join(root, area))) {
    const src = join(root, area, pkg, 'src');
    try {
      statSync(src);
    } catch {
      continue;
    }
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? '';
        const where = relative(root, file);
        if (area === 'services' && WORKERS.includes(pkg) && (spec === 'pg' || spec.includes('gateway') || /\/db\//.test(spec)))
          problems.push(`${where}: the ${pkg} worker must not touch the database layer (imports ${spec})`);
        if (area === 'libs' && /^@pressroom\/(gateway|research|llm|publisher)$/.test(spec))
          problems.push(`${where}: a lib must not import a service (${spec})`);
        if (/^@pressroom\/[\w-]+\/.+/.test(spec)) problems.push(`${where}: import ${spec.split('/').slice(0, 2).join('/')} through its index, not ${spec}`);
        if (spec.startsWith('.') && /\.\.\/\.\.\/\.\.\/(libs|services)\//.test(spec)) problems.push(`${where}: reaches into another package by path (${spec})`);
      }
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`layer boundary violations:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write('layer boundaries hold\n');
