// docker-compose.yml: what `docker compose config` would not catch (each app service builds its own SERVICE
// from the one Dockerfile; no obsolete top-level `version:`), and references between services.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const APP_SERVICES = ['gateway', 'research', 'llm', 'publisher'];

type Service = { build?: { args?: Record<string, unknown> }; depends_on?: Record<string, unknown> | string[] };

export function composeProblems(path: string): string[] {
  const doc = (parse(readFileSync(path, 'utf8'), { merge: true }) ?? {}) as { version?: unknown; services?: Record<string, Service> };
  const problems: string[] = [];
  if ('version' in doc) problems.push("top-level 'version:' is obsolete in the Compose spec");
  const services = doc.services ?? {};
  for (const name of APP_SERVICES) {
    const svc = services[name];
    if (!svc) {
      problems.push(`service ${name} is missing`);
      continue;
    }
    const arg = svc.build?.args?.['SERVICE'];
    if (arg !== name) problems.push(`service ${name} builds SERVICE=${JSON.stringify(arg)}`);
  }
  for (const [name, svc] of Object.entries(services)) {
    const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
    for (const dep of deps) if (!(dep in services)) problems.push(`service ${name} depends on unknown service ${dep}`);
  }
  return problems;
}

/** `docker compose config -q`: undefined when the compose plugin is not installed (nothing to run it with). */
export function dockerComposeConfig(path: string): string[] | undefined {
  const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return undefined;
  const r = spawnSync('docker', ['compose', '-f', path, 'config', '-q'], { encoding: 'utf8' });
  return r.status === 0 ? [] : [r.stderr.trim()];
}
