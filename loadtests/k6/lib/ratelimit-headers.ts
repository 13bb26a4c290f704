import type { Res } from './api.ts';

/** One item of an IETF draft-8 `RateLimit` / `RateLimit-Policy` list: `"name";r=5;t=30` or `"name";q=100;w=3600`. */
interface LimitItem {
  name: string;
  params: Record<string, string>;
}

/** Header lookup ignoring case: k6 canonicalises names the Go way (`Ratelimit-Policy`). */
export function header(res: Res, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const key of Object.keys(res.headers)) if (key.toLowerCase() === want) return res.headers[key];
  return undefined;
}

/**
 * Parses a structured-field list (RFC 8941) of the shape the draft uses. Several limiters on one route each
 * add an item, and k6 joins repeated headers with ", ", so both arrive as one list.
 */
function parseLimitList(value: string | undefined): LimitItem[] {
  if (!value) return [];
  const items: LimitItem[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*"([^"]*)"\s*((?:;\s*[A-Za-z][\w*-]*=[^;]*)*)\s*$/.exec(part);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of (m[2] ?? '').split(';')) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    items.push({ name: m[1] ?? '', params });
  }
  return items;
}

function intParam(item: LimitItem | undefined, key: string): number | undefined {
  const raw = item?.params[key];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

export interface LimitState {
  name: string;
  quota?: number;
  windowS?: number;
  remaining?: number;
  resetS?: number;
}

/** Joins each policy (`RateLimit-Policy`) with its current state (`RateLimit`) by name. */
export function limitStates(res: Res): LimitState[] {
  const policies = parseLimitList(header(res, 'RateLimit-Policy'));
  const states = parseLimitList(header(res, 'RateLimit'));
  return policies.map((p) => {
    const s = states.find((x) => x.name === p.name);
    const out: LimitState = { name: p.name };
    const q = intParam(p, 'q');
    const w = intParam(p, 'w');
    const r = intParam(s, 'r');
    const t = intParam(s, 't');
    if (q !== undefined) out.quota = q;
    if (w !== undefined) out.windowS = w;
    if (r !== undefined) out.remaining = r;
    if (t !== undefined) out.resetS = t;
    return out;
  });
}
