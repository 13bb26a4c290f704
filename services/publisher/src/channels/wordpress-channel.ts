import type { Config } from '@pressroom/config';
import { permanentError } from '@pressroom/contracts';
import { classifyHttpError, type Breakers, type HttpClient } from '@pressroom/resilience';
import { markdownToHtml } from '../render/markdown-to-html.ts';
import { parseJsonSafely, reportedUrl, type PublishChannel } from './channel.ts';

type WordpressSettings = Pick<Config, 'WORDPRESS_URL' | 'WORDPRESS_USER' | 'WORDPRESS_APP_PASSWORD' | 'WORDPRESS_POST_STATUS'>;

/**
 * Creates a post through the WordPress REST API (`POST /wp-json/wp/v2/posts`), authenticated with an
 * application password over Basic auth (WordPress ≥ 5.6). The body is sent as HTML because the REST API
 * stores `content` as-is; WordPress core ignores `Idempotency-Key`, but a proxy or plugin in front may honour it.
 */
export function createWordpressChannel(deps: { config: WordpressSettings; http: HttpClient; breakers: Breakers }): PublishChannel {
  const { config, http, breakers } = deps;
  return {
    async publish(input) {
      const { WORDPRESS_URL: site, WORDPRESS_USER: user, WORDPRESS_APP_PASSWORD: password } = config;
      if (!site || !user || !password) throw permanentError('channel_not_configured', 'WORDPRESS_URL, WORDPRESS_USER and WORDPRESS_APP_PASSWORD must be set for the wordpress channel');
      const base = site.replace(/\/+$/, '');
      const endpoint = `${base}/wp-json/wp/v2/posts`;
      const { article } = input;
      const json = { title: article.title, content: markdownToHtml(article.body_markdown), excerpt: article.summary, status: config.WORDPRESS_POST_STATUS };
      const headers = {
        authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        'idempotency-key': input.request_id,
      };
      const response = await breakers.call(`wordpress:${new URL(base).host}`, () =>
        http.post(endpoint, { json, headers, responseType: 'text' }).catch((err: unknown) => {
          throw classifyHttpError(err, 'wordpress');
        }),
      );
      // The post exists now; fall back rather than throw (a retry would create a second post).
      const reply = parseJsonSafely(response.body);
      const id = typeof reply.id === 'number' ? reply.id : undefined;
      return reportedUrl(reply.link, base) ?? (id === undefined ? base : `${base}/?p=${id}`);
    },
  };
}
