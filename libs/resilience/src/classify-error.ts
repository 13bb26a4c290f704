import { HTTPError, ParseError, RequestError, TimeoutError } from 'got';
import { TaskError, permanentError, transientError } from '@pressroom/contracts';

const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Parses Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Maps an outbound-call failure onto a TaskError: timeouts, connection errors, 5xx, 408 and 429 are transient
 * (429 honours Retry-After); any other 4xx is permanent, since repeating the same request cannot fix it.
 */
export function classifyHttpError(err: unknown, what: string): TaskError {
  return classify(err, what);
}

// Node's (OpenSSL's) codes for a certificate that does not verify; a handshake cut short (ECONNRESET) stays transient.
const TLS_CERT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Where a redirect points, as scheme and host only (a webhook URL's path may hold a secret). */
function redirectTarget(location: string | undefined): string {
  if (!location) return '';
  try {
    return ` to ${new URL(location).origin}`;
  } catch {
    return '';
  }
}

/** got's own error text carries the full URL, which for webhooks may embed a secret; only the host is kept. */
function where(err: { options?: { url?: URL | string } }): string {
  try {
    return ` (${new URL(String(err.options?.url)).host})`;
  } catch {
    return '';
  }
}

function classify(err: unknown, what: string): TaskError {
  if (err instanceof TaskError) return err;
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof TaskError) return cause;
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const retryAfterMs = parseRetryAfter(err.response.headers['retry-after']);
    const code = status === 429 ? 'upstream_rate_limited' : `upstream_${status}`;
    const message = `${what}${where(err)} answered HTTP ${status}`;
    return TRANSIENT_STATUS.has(status) || status >= 500 ? transientError(code, message, { retryAfterMs }) : permanentError(code, message);
  }
  // ParseError extends RequestError, but a body that does not parse will not parse on a retry either.
  if (err instanceof ParseError) return permanentError('bad_provider_response', `${what}${where(err)} answered with a body that is not valid JSON`);
  if (err instanceof TimeoutError) return transientError('upstream_timeout', `${what}${where(err)} timed out (${err.event})`);
  // What a retry cannot change: the name does not exist, the certificate is not valid for it, the redirects loop.
  if (err instanceof RequestError && err.code === 'ENOTFOUND') return permanentError('target_not_found', `${what}${where(err)}: no such host (ENOTFOUND)`);
  if (err instanceof RequestError && TLS_CERT_CODES.has(err.code))
    return permanentError('target_tls_invalid', `${what}${where(err)}: its TLS certificate is not valid (${err.code})`);
  if (err instanceof RequestError && err.code === 'ERR_TOO_MANY_REDIRECTS')
    return permanentError('target_redirect_loop', `${what}${where(err)}: too many redirects`);
  if (err instanceof RequestError) return transientError('upstream_unreachable', `${what}${where(err)} unreachable: ${err.code ?? 'connection failed'}`);
  return transientError('upstream_error', `${what} failed: ${(err as Error)?.name ?? 'error'}`);
}

/**
 * For a call made with `followRedirect: false` (a POST, whose body a redirect to another origin would drop, turning
 * it into a GET whose 200 would read as delivered): got answers the 3xx as a success, so it is refused here.
 */
export function refuseRedirect<R extends { statusCode: number; headers: Record<string, string | string[] | undefined>; url: string }>(
  response: R,
  what: string,
): R {
  if (response.statusCode < 300 || response.statusCode >= 400) return response;
  const location = response.headers['location'];
  throw permanentError(
    'target_redirected',
    `${what}${where({ options: { url: response.url } })} answered HTTP ${response.statusCode}${redirectTarget(typeof location === 'string' ? location : undefined)}: use the URL it redirects to`,
  );
}
