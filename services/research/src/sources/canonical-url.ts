// Query parameters that only say where a click came from; the page is the same without them.
const TRACKING = /^(?:utm_\w+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|ref_src|spm)$/i;

/**
 * The identity of a page for de-duplication: engines list one page under several URLs (http and https,
 * with and without "www.", a trailing slash, a #fragment, tracking parameters, parameters in another
 * order). The source keeps the URL the engine gave; only the comparison uses this key.
 */
export function canonicalUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.href.replace(/#.*$/, '');
  const params = [...url.searchParams].filter(([name]) => !TRACKING.test(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
  const host = url.host.replace(/^www\./, '');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '';
  return `//${host}${path}${query}`;
}
