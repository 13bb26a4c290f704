/**
 * What of a URL may be recorded in a span or a log line: an allowlist, not a denylist. Scheme, host and port
 * are kept; each path segment is kept only when it cannot be an id or a credential (Slack's webhook token,
 * a tokenised callback URL, a request id); the query keeps its keys, never a value; user info and fragment
 * are dropped. Written as plain string scanning, parsed once, because it runs for every HTTP span.
 */
export const REDACTED = 'REDACTED';

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A segment of 16+ characters, or of 6+ with a digit in it, may be an id or a secret: masked. */
function maskSegment(segment: string): string {
  const n = segment.length;
  if (n >= 16) return REDACTED;
  if (n < 6) return segment;
  for (let i = 0; i < n; i++) if (isDigit(segment.charCodeAt(i)) || segment.charCodeAt(i) === 37 /* % */) return REDACTED;
  return segment;
}

/** `/a/b?x=1&y=2` to `/a/b?x=REDACTED&y=REDACTED`, with id-like segments masked. */
export function redactPathAndQuery(target: string): string {
  const hash = target.indexOf('#');
  const bare = hash === -1 ? target : target.slice(0, hash);
  const q = bare.indexOf('?');
  const path = q === -1 ? bare : bare.slice(0, q);
  let out = path.split('/').map(maskSegment).join('/');
  if (q !== -1 && q < bare.length - 1) {
    const keys = bare
      .slice(q + 1)
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.indexOf('=');
        return `${maskSegment(eq === -1 ? pair : pair.slice(0, eq))}=${REDACTED}`;
      });
    out += `?${keys.join('&')}`;
  }
  return out;
}

/** An absolute URL reduced to what may be recorded; something that is not a URL is withheld whole. */
export function redactUrl(raw: string): string {
  const scheme = raw.indexOf('://');
  if (scheme <= 0) return REDACTED;
  const rest = raw.slice(scheme + 3);
  let end = rest.length;
  for (const c of ['/', '?', '#']) {
    const i = rest.indexOf(c);
    if (i !== -1 && i < end) end = i;
  }
  const authority = rest.slice(0, end);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return `${raw.slice(0, scheme)}://${host}${redactPathAndQuery(rest.slice(end) || '/')}`;
}

// URLs inside free text (an exception message, a stack) and `name=value` pairs whose name says secret.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>`]+/gi;
const SECRET_PAIR =
  /\b(key|api[_-]?key|token|access_token|refresh_token|secret|password|passwd|sig|signature|ticket|auth|authorization)(["']?\s*[=:]\s*["']?)[^\s&"',;]+/gi;

const BEARER = /\b(Bearer|Basic)\s+[^\s"',;]+/g;

/** Free text with every URL redacted and every secret-named `name=value` or bearer credential masked. */
export function redactText(text: string): string {
  return text
    .replace(URL_IN_TEXT, (url) => redactUrl(url))
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_PAIR, (m, name: string, sep: string) => (/^(Bearer|Basic)\b/.test(m.slice(name.length + sep.length)) ? m : `${name}${sep}${REDACTED}`));
}
