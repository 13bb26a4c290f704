// The pieces of scripts/check-prod-install.ts that decide something: which files make up the image's
// `manifests` stage, and what a failed boot means in terms of the package.json to fix.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What the Dockerfile's manifests stage copies: root manifests, then every package.json outside node_modules. */
export function manifestFiles(root: string): string[] {
  const top = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc', 'patches'].filter((f) => readdirSync(root).includes(f));
  return [...top, ...packageJsons(root, '').sort()];
}

/** Every `<dir>/package.json` below `root`, never descending into node_modules or .git. */
function packageJsons(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    if (!e.isDirectory() || e.name === 'node_modules' || e.name === '.git') return [];
    const sub = dir ? `${dir}/${e.name}` : e.name;
    return [...(existsSync(join(root, sub, 'package.json')) ? [`${sub}/package.json`] : []), ...packageJsons(root, sub)];
  });
}

/**
 * Lines explaining why `node services/<service>/src/main.ts --check-config` failed after a production install,
 * from node's own ERR_MODULE_NOT_FOUND message when there is one; `work` is the install's folder.
 */
export function explainBootFailure(service: string, output: string, work: string): string[] {
  const strip = (s: string) => s.replaceAll(`${work}/`, '');
  const m = /Cannot find (?:package|module) '([^']*)' imported from (\S+)/.exec(output);
  if (!m)
    return [
      `${service}: 'node services/${service}/src/main.ts --check-config' did not exit 0 after a production install:`,
      ...strip(output)
        .trim()
        .split('\n')
        .map((l) => `  ${l}`),
    ];
  const missing = strip(m[1]!);
  const importer = strip(m[2]!);
  const pkg = importer.split('/').slice(0, 2).join('/');
  const bare = !missing.startsWith('.') && !missing.startsWith('/') && !missing.includes('/src/');
  return [
    `${service}: after 'pnpm install --prod', ${importer} imports '${missing}', which does not resolve.`,
    bare
      ? `Declare it under "dependencies" (not devDependencies) in ${pkg}/package.json and run pnpm install.`
      : 'The file is missing from the copied sources (is it ignored or untracked by mistake?).',
  ];
}
