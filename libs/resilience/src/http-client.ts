import got, { type Got } from 'got';
import { addressPolicy, type AddressPolicy } from './address-policy.ts';
import { assertAllowedUrl, guardedLookup } from './outbound-guard.ts';

export interface HttpClientOptions {
  timeoutMs: number;
  /** ALLOW_PRIVATE_TARGETS: true only for tests against local stand-ins; the only way to reach loopback. */
  allowPrivateTargets: boolean;
  maxRedirects?: number;
  userAgent?: string;
  /** Tests only: replaces the address rules (e.g. to let one loopback address stand in for a public host). */
  addressPolicy?: AddressPolicy;
}

/**
 * The one way services call the outside world: a total timeout per call, no hidden retries (the pipeline's
 * delay queues own retrying), every URL and redirect hop checked, every resolved address checked.
 */
export function createHttpClient(opts: HttpClientOptions): Got {
  const policy = opts.addressPolicy ?? addressPolicy(opts.allowPrivateTargets);
  return got.extend({
    timeout: { request: opts.timeoutMs },
    retry: { limit: 0 },
    maxRedirects: opts.maxRedirects ?? 3,
    dnsLookup: guardedLookup(policy),
    headers: { 'user-agent': opts.userAgent ?? 'Pressroom/0.1 (+https://github.com/pressroom)' },
    hooks: {
      init: [
        (raw) => {
          const url = (raw as { url?: string | URL }).url;
          if (url) assertAllowedUrl(new URL(String(url)), policy);
        },
      ],
      beforeRequest: [(options) => assertAllowedUrl(new URL(String(options.url)), policy)],
      beforeRedirect: [(options) => assertAllowedUrl(new URL(String(options.url)), policy)],
    },
  });
}

export type HttpClient = Got;

/** Reads a body up to `maxBytes`, aborting the download past it instead of buffering an unbounded page. */
export async function fetchLimited(client: Got, url: string, maxBytes: number, headers: Record<string, string> = {}): Promise<{ body: string; contentType: string; finalUrl: string }> {
  const stream = client.stream(url, { headers });
  const chunks: Buffer[] = [];
  let size = 0;
  let contentType = '';
  let finalUrl = url;
  stream.on('response', (res: { headers: Record<string, string | undefined>; url: string }) => {
    contentType = res.headers['content-type'] ?? '';
    finalUrl = res.url;
  });
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      break;
    }
    chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks).toString('utf8'), contentType, finalUrl };
}
