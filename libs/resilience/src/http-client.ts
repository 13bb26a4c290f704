import got, { type Got } from 'got';
import { addressPolicy, type AddressPolicy } from './address-policy.ts';
import { assertAllowedUrl, guardedLookup } from './outbound-guard.ts';
import { DEFAULT_RESPONSE_MAX_BYTES, responseCap, responseLimit } from './response-cap.ts';

export interface HttpClientOptions {
  timeoutMs: number;
  /** ALLOW_PRIVATE_TARGETS: true only for tests against local stand-ins; the only way to reach loopback. */
  allowPrivateTargets: boolean;
  maxRedirects?: number;
  userAgent?: string;
  /** RESPONSE_MAX_BYTES: the most any response body may be, after decompression (a call may lower or raise it, see responseLimit). */
  maxResponseBytes?: number;
  /** Tests only: replaces the address rules (e.g. to let one loopback address stand in for a public host). */
  addressPolicy?: AddressPolicy;
}

/** Settings of a client for operator-configured endpoints: no address rule to lift. */
export type OperatorClientOptions = Omit<HttpClientOptions, 'allowPrivateTargets' | 'addressPolicy'>;

/**
 * The one way services call the outside world: a total timeout per call, no hidden retries (the pipeline's
 * delay queues own retrying), every URL and redirect hop checked, every resolved address checked, every
 * response body capped after decompression. Prefer the two named clients below, which say whose URL it is.
 */
export function createHttpClient(opts: HttpClientOptions): Got {
  const policy = opts.addressPolicy ?? addressPolicy(opts.allowPrivateTargets);
  return got.extend({
    timeout: { request: opts.timeoutMs },
    retry: { limit: 0 },
    maxRedirects: opts.maxRedirects ?? 3,
    dnsLookup: guardedLookup(policy),
    headers: { 'user-agent': opts.userAgent ?? 'Pressroom/0.1 (+https://github.com/pressroom)' },
    handlers: [responseCap(opts.maxResponseBytes ?? DEFAULT_RESPONSE_MAX_BYTES)],
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

/**
 * For URLs that come from users or from the web (fetched pages and their robots.txt, webhook and callback
 * URLs) and every redirect of them: private, loopback, link-local, CGNAT and metadata addresses are refused
 * at DNS time. `allowPrivateTargets` is ALLOW_PRIVATE_TARGETS, which exists for tests and which config
 * refuses in production.
 */
export function createUserTargetClient(opts: HttpClientOptions): Got {
  return createHttpClient(opts);
}

/**
 * For endpoints an operator configured (search APIs, SearXNG, the LLM, WordPress, alert sinks): trusted as
 * configured, private addresses included (a self-hosted SearXNG or an in-cluster relay is the normal case),
 * so ALLOW_PRIVATE_TARGETS neither applies nor is needed. Timeouts and response caps still hold.
 */
export function createOperatorClient(opts: OperatorClientOptions): Got {
  return createHttpClient({ ...opts, allowPrivateTargets: true });
}

export type HttpClient = Got;

export interface LimitedBody {
  body: Buffer;
  contentType: string;
  finalUrl: string;
}

/** Called before each redirect is followed, with the hop's URL; it throws to refuse the hop (a robots.txt rule). */
export type RedirectCheck = (url: string) => Promise<void> | void;

/**
 * Reads one body of at most `maxBytes` (after decompression) as bytes, for callers that decode it themselves
 * (a page in its own charset). A longer body is refused with `response_too_large`, never truncated. `onRedirect`
 * checks each redirect hop before it is followed.
 */
export async function fetchLimited(
  client: Got,
  url: string,
  maxBytes: number,
  headers: Record<string, string> = {},
  onRedirect?: RedirectCheck,
): Promise<LimitedBody> {
  const { body, contentType, finalUrl } = await readBody(client, url, headers, maxBytes, Infinity, onRedirect);
  return { body, contentType, finalUrl };
}

/**
 * Reads only the first `maxBytes` of a body and stops there, for a format whose beginning stands on its own
 * (robots.txt: RFC 9309 section 2.5 lets a crawler stop parsing after 500 KiB). `truncated` says whether
 * more was sent.
 */
export async function fetchPrefix(
  client: Got,
  url: string,
  maxBytes: number,
  headers: Record<string, string> = {},
): Promise<LimitedBody & { truncated: boolean }> {
  return readBody(client, url, headers, Math.max(DEFAULT_RESPONSE_MAX_BYTES, maxBytes), maxBytes);
}

async function readBody(
  client: Got,
  url: string,
  headers: Record<string, string>,
  capBytes: number,
  stopAt: number,
  onRedirect?: RedirectCheck,
): Promise<LimitedBody & { truncated: boolean }> {
  const stream = client.stream(url, {
    headers,
    context: responseLimit(capBytes),
    ...(onRedirect ? { hooks: { beforeRedirect: [async (options) => onRedirect(String(options.url))] } } : {}),
  });
  const chunks: Buffer[] = [];
  let contentType = '';
  let finalUrl = url;
  let length = 0;
  let truncated = false;
  stream.on('response', (res: { headers: Record<string, string | undefined>; url: string }) => {
    contentType = res.headers['content-type'] ?? '';
    finalUrl = res.url;
  });
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    if (length + buffer.length > stopAt) {
      chunks.push(buffer.subarray(0, stopAt - length));
      truncated = true;
      // Leaving the loop destroys the stream: the rest is never read.
      break;
    }
    chunks.push(buffer);
    length += buffer.length;
  }
  return { body: Buffer.concat(chunks), contentType, finalUrl, truncated };
}
