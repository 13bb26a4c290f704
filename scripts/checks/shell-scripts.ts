// The repository's shell scripts parse (`bash -n`) and pass shellcheck; .ci/run stays executable.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** .ci/run, scripts/*.sh and every *.sh under deploy/, relative to `root`. */
export function shellScripts(root: string): string[] {
  const under = (dir: string) =>
    existsSync(join(root, dir))
      ? (readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.sh')).map((f) => join(dir, f))
      : [];
  return [...(existsSync(join(root, '.ci/run')) ? ['.ci/run'] : []), ...under('scripts'), ...under('deploy')].sort();
}

/** Problems of one script: its `bash -n` errors. */
export function bashSyntax(root: string, file: string): string[] {
  const r = spawnSync('bash', ['-n', file], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? [] : [r.stderr.trim() || `bash -n ${file} exited ${r.status}`];
}

/**
 * shellcheck's warnings and errors for the scripts (its notes and style hints are advice, not failures). All
 * are bash (bootstrap.sh is sourced, so it has no shebang); `source` lines are followed from each script's folder.
 */
export function shellcheck(shellcheckPath: string, root: string, files: string[]): string[] {
  const r = spawnSync(shellcheckPath, ['--shell=bash', '--severity=warning', '--external-sources', '--source-path=SCRIPTDIR', '--format=gcc', ...files], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.error) return [`${shellcheckPath}: ${r.error.message}`];
  return r.status === 0 ? [] : r.stdout.trim().split('\n');
}

export function executable(root: string, file: string): string[] {
  try {
    accessSync(join(root, file), constants.X_OK);
    return [];
  } catch {
    return [`${file} is not executable (chmod +x ${file})`];
  }
}
