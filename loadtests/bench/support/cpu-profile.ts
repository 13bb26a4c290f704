import { readFile } from 'node:fs/promises';
import { ROOT } from './child-process.ts';
import { round } from './stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  top: Array<{ functionName: string; where: string; selfPct: number; selfMs: number }>;
  byPackage: Array<{ name: string; selfPct: number }>;
}

/** `…/node_modules/.pnpm/x@1/node_modules/@scope/x/lib/a.js` → `@scope/x/lib/a.js`; project files relative to the root. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path;
}

function packageOf(name: string, url: string): string {
  if (!url) return name.startsWith('(') ? name : 'native (bindings, V8 builtins)';
  if (url.startsWith('node:')) return 'node internals (JS)';
  const short = shortUrl(url);
  if (url.includes('/node_modules/'))
    return short
      .split('/')
      .slice(0, short.startsWith('@') ? 2 : 1)
      .join('/');
  return short.split('/').slice(0, 2).join('/');
}

/** Self time per function and per package from a `node --cpu-prof` file, idle time left out. */
export async function summariseProfile(file: string, topN = 20): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<ProfileNode, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (node) self.set(node, (self.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const functions = new Map<string, { functionName: string; where: string; us: number }>();
  const packages = new Map<string, number>();
  let total = 0;
  for (const [node, us] of self) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const f = functions.get(key) ?? { functionName: name, where, us: 0 };
    f.us += us;
    functions.set(key, f);
    const pkg = packageOf(name, url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => round((100 * us) / (total || 1), 1);
  return {
    file,
    totalMs: Math.round(total / 1000),
    top: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ functionName: f.functionName, where: f.where, selfPct: pct(f.us), selfMs: Math.round(f.us / 1000) })),
    byPackage: [...packages.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, us]) => ({ name, selfPct: pct(us) })),
  };
}
