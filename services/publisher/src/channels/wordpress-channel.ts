import type { Config } from '@pressroom/config';
import { permanentError } from '@pressroom/contracts';
import { classifyHttpError, refuseRedirect, type Breakers, type HttpClient } from '@pressroom/resilience';
import { escapeHtml, markdownToHtml } from '../render/markdown-to-html.ts';
import { parseJsonSafely, reportedUrl, type PublishChannel } from './channel.ts';
import { postSlug } from './post-slug.ts';

type WordpressSettings = Pick<Config, 'WORDPRESS_URL' | 'WORDPRESS_USER' | 'WORDPRESS_APP_PASSWORD' | 'WORDPRESS_POST_STATUS'>;

// Every status a post can have but `trash`: a post of this request in any of them is the one to report.
const LIVE_STATUSES = 'publish,future,draft,pending,private';

/**
 * Creates a post through the WordPress REST API (`POST /wp-json/wp/v2/posts`), authenticated with an
 * application password over Basic auth (WordPress ≥ 5.6), with status WORDPRESS_POST_STATUS.
 *
 * WordPress stores `title`, `excerpt` and `content` as given, and renders them as HTML: title and excerpt
 * are article text, so they are sent HTML-escaped; the body is the rendered, escaped Markdown with its
 * citations linked to the sources. WordPress core ignores `Idempotency-Key`, so the post's slug carries
 * the request id: before posting, a post with that slug is looked up, and a found one is reported instead
 * of posting again (a redelivery after a lost idempotency marker, or after an answer that could not be read).
 */
export function createWordpressChannel(deps: { config: WordpressSettings; http: HttpClient; breakers: Breakers }): PublishChannel {
  const { config, http, breakers } = deps;
  return {
    async publish(input) {
      const { WORDPRESS_URL: site, WORDPRESS_USER: user, WORDPRESS_APP_PASSWORD: password } = config;
      if (!site || !user || !password)
        throw permanentError('channel_not_configured', 'WORDPRESS_URL, WORDPRESS_USER and WORDPRESS_APP_PASSWORD must be set for the wordpress channel');
      const base = site.replace(/\/+$/, '');
      const endpoint = `${base}/wp-json/wp/v2/posts`;
      const { article } = input;
      const slug = postSlug(article.title, input.request_id);
      const headers = {
        authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        'idempotency-key': input.request_id,
      };
      const call = <T>(what: string, request: () => Promise<T>) =>
        breakers.call(`wordpress:${new URL(base).host}`, () =>
          request().catch((err: unknown) => {
            throw classifyHttpError(err, `wordpress ${what}`);
          }),
        );

      // Redirects are not followed: one to another origin drops the Authorization header, and turns the create into a GET.
      const found = await call('post lookup', () =>
        http
          .get(endpoint, { searchParams: { slug, status: LIVE_STATUSES, _fields: 'id,link' }, headers, responseType: 'text', followRedirect: false })
          .then((res) => refuseRedirect(res, 'wordpress post lookup')),
      );
      const existing = existingPost(found.body, base);
      if (existing) return existing;

      const json = {
        title: escapeHtml(article.title),
        excerpt: escapeHtml(article.summary),
        content: markdownToHtml(article.body_markdown, { sources: article.sources }),
        status: config.WORDPRESS_POST_STATUS,
        slug,
      };
      const created = await call('post', () =>
        http.post(endpoint, { json, headers, responseType: 'text', followRedirect: false }).then((res) => refuseRedirect(res, 'wordpress post')),
      );
      // The post exists now; fall back rather than throw (a retry would look the post up, but need not).
      const reply = parseJsonSafely(created.body);
      const id = typeof reply.id === 'number' ? reply.id : undefined;
      return reportedUrl(reply.link, base) ?? (id === undefined ? base : `${base}/?p=${id}`);
    },
  };
}

/** The link of the post a lookup found, if it found one; an answer that is not a list of posts is refused. */
function existingPost(body: string, base: string): string | undefined {
  let posts: unknown;
  try {
    posts = JSON.parse(body);
  } catch {
    posts = undefined;
  }
  if (!Array.isArray(posts)) throw permanentError('bad_provider_response', 'wordpress post lookup did not answer with a list of posts');
  const post = posts.find((p: unknown): p is { id: number; link?: unknown } => typeof (p as { id?: unknown })?.id === 'number');
  if (!post) return undefined;
  return reportedUrl(post.link, base) ?? `${base}/?p=${post.id}`;
}
