// Compiles every rendered object, typed by its kind's model, with tsc: unlike the JSON schemas, excess-property
// checks reject unknown fields (a misindented key, a typo).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { idOf, type Manifest } from './manifest.ts';
import { RABBITMQ_TYPES, schemaOf } from './schemas.ts';

const root = join(import.meta.dirname, '..', '..', '..');

/** One TypeScript file, one constant per object; returns tsc's errors mapped back to `<label> <object id>`. */
export function typeCheck(sets: Array<{ label: string; objects: Manifest[] }>): { checked: number; problems: string[] } {
  // Inside node_modules so that the models resolve from the repository's install.
  const dir = mkdtempSync(join(root, 'node_modules', '.cache-pressroom-k8s-'));
  try {
    const aliases = new Map<string, string>();
    const lines: string[] = [];
    const starts: Array<{ line: number; id: string }> = [];
    for (const { label, objects } of sets)
      for (const m of objects) {
        const schema = schemaOf(m);
        if (!schema) continue; // validateSchemas reports it
        const key = `${schema.module}#${schema.name}`;
        if (!aliases.has(key)) aliases.set(key, `I${schema.name}_${aliases.size}`);
        starts.push({ line: lines.length + 1, id: `${label} ${idOf(m)}` });
        lines.push(...`export const m${starts.length}: ${aliases.get(key)} = ${JSON.stringify(m, null, 2)};`.split('\n'));
      }
    const header = [...aliases].map(([key, alias]) => {
      const [module, name] = key.split('#') as [string, string];
      return `import type { I${name} as ${alias} } from '${module === RABBITMQ_TYPES ? relative(dir, RABBITMQ_TYPES) : module}';`;
    });
    const source = [...header, ...lines];
    const offset = header.length;
    writeFileSync(join(dir, 'manifests.ts'), `${source.join('\n')}\n`);
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const compilerOptions = {
      target: 'es2024',
      module: 'nodenext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      types: [],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['manifests.ts'] }));

    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const problems: string[] = [];
    for (const line of `${r.stdout}${r.stderr}`.split('\n')) {
      const match = /manifests\.ts\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
      if (match) {
        const at = Number(match[1]);
        const owner = starts.filter((s) => s.line + offset <= at).at(-1);
        problems.push(`${owner?.id ?? '?'}: ${match[2]} (near "${source[at - 1]?.trim()}")`);
      } else if (/error/i.test(line)) problems.push(line.trim());
    }
    if (r.status !== 0 && problems.length === 0) problems.push(`tsc exited with ${r.status}`);
    return { checked: starts.length, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
