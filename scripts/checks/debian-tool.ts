// Finds a command-line tool, or fetches it from the Debian package that carries it: `apt-get download` and
// `dpkg-deb -x` unpack only that binary into a cache folder, so nothing is installed system-wide and no daemon
// (Prometheus's, for promtool) is set up. CI does this once; later runs reuse the cache.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOOLS_CACHE = join(process.env['PRESSROOM_CI_TOOLS'] ?? join(process.env['HOME'] ?? '/root', '.pressroom-ci-tools'));

export interface DebianTool {
  /** The command, as on PATH: `promtool`. */
  command: string;
  /** The Debian package that ships it, and where inside the package: `prometheus`, `usr/bin/promtool`. */
  pkg: string;
  path: string;
}

const onPath = (command: string): string | undefined => {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

const run = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8' });

/** The tool's path: on PATH, else in the cache, else (with `fetch`) fetched into the cache. Throws when fetching fails. */
export function findTool(tool: DebianTool, { fetch = false, cache = TOOLS_CACHE } = {}): string | undefined {
  const cached = join(cache, tool.command, tool.command);
  const found = onPath(tool.command) ?? (existsSync(cached) ? cached : undefined);
  if (found || !fetch) return found;
  const work = mkdtempSync(join(tmpdir(), `pressroom-${tool.pkg}-`));
  try {
    let r = run('apt-get', ['download', tool.pkg], work);
    if (r.status !== 0) {
      run('apt-get', ['update', '-qq'], work);
      r = run('apt-get', ['download', tool.pkg], work);
    }
    if (r.error || r.status !== 0) throw new Error(`apt-get download ${tool.pkg} failed: ${r.error?.message ?? r.stderr.trim()}`);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'))!;
    r = run('dpkg-deb', ['-x', deb, 'x'], work);
    if (r.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${r.stderr.trim()}`);
    mkdirSync(join(cache, tool.command), { recursive: true });
    copyFileSync(join(work, 'x', tool.path), cached);
    chmodSync(cached, 0o755);
    return cached;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const PROMTOOL: DebianTool = { command: 'promtool', pkg: 'prometheus', path: 'usr/bin/promtool' };
export const SHELLCHECK: DebianTool = { command: 'shellcheck', pkg: 'shellcheck', path: 'usr/bin/shellcheck' };
