import robotsParserModule from 'robots-parser';
import { permanentError, transientError } from '@pressroom/contracts';
import { classifyHttpError, fetchPrefix, type HttpClient } from '@pressroom/resilience';

// The package is CommonJS (`module.exports = function`) but types itself as an ES default export.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

// RFC 9309 §2.5: a crawler must parse at least 500 KiB of a robots.txt and may ignore the rest.
export const ROBOTS_MAX_BYTES = 500 * 1024;
const TTL_MS = 3600_000;
const MAX_HOSTS = 1000;

type Verdict = (url: string) => boolean;

const allowAll: Verdict = () => true;

/** The product token that robots.txt groups name: `Pressroom/0.1 (+url)` → `Pressroom`. */
function productToken(userAgent: string): string {
  return userAgent.trim().split(/[\s/]/, 1)[0] || userAgent;
}

/**
 * Honours robots.txt (RFC 9309) for the pages the research worker fetches, with one cached verdict per
 * origin for an hour (within the RFC's 24 h; in memory, at most MAX_HOSTS origins). A 4xx means no rules
 * (§2.3.1.3). Only the first 500 KiB of a longer file is parsed (§2.5). A 5xx or an unreachable server means
 * "disallow everything" (§2.3.1.4) for this attempt only:
 * the page fails as `robots_unavailable`, transient, and the failure is not cached, so a retry asks again. A
 * failure no retry can change fails the page with its own permanent code.
 * Concurrent pages of one origin share one robots.txt request.
 */
export function createRobotsPolicy(deps: { client: HttpClient; userAgent: string; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const agent = productToken(deps.userAgent);
  const cache = new Map<string, { at: number; verdict: Promise<Verdict> }>();

  async function load(origin: string): Promise<Verdict> {
    const robotsUrl = `${origin}/robots.txt`;
    try {
      const { body, truncated } = await fetchPrefix(deps.client, robotsUrl, ROBOTS_MAX_BYTES, { accept: 'text/plain', 'user-agent': deps.userAgent });
      // A longer file is read up to the limit, less the line the limit cut through.
      const text = body.toString('utf8');
      const robots = robotsParser(robotsUrl, truncated ? text.slice(0, Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1) : text);
      return (url) => robots.isAllowed(url, agent) !== false;
    } catch (err) {
      const failure = classifyHttpError(err, 'robots.txt');
      if (/^upstream_4\d\d$/.test(failure.code)) return allowAll;
      // What a retry cannot change (a forbidden address, no such host, an invalid certificate, a redirect loop):
      // the page fails for good, rather than as robots_unavailable, which would rerun the stage.
      if (!failure.transient) throw failure;
      throw transientError('robots_unavailable', `robots.txt of ${new URL(origin).host} could not be read, so no page there is fetched (${failure.message})`);
    }
  }

  function verdictFor(origin: string): Promise<Verdict> {
    const hit = cache.get(origin);
    if (hit && now() - hit.at < TTL_MS) return hit.verdict;
    cache.delete(origin);
    if (cache.size >= MAX_HOSTS) cache.delete(cache.keys().next().value as string);
    const entry = { at: now(), verdict: load(origin) };
    cache.set(origin, entry);
    entry.verdict.catch(() => {
      if (cache.get(origin) === entry) cache.delete(origin);
    });
    return entry.verdict;
  }

  /** Resolves when `url` may be fetched; throws `robots_disallowed` (permanent) or `robots_unavailable` (transient). */
  return async function assertRobotsAllow(url: string): Promise<void> {
    const target = new URL(url);
    const allows = await verdictFor(target.origin);
    if (!allows(target.href)) throw permanentError('robots_disallowed', `robots.txt of ${target.host} does not allow ${agent} to fetch ${target.pathname}`);
  };
}
