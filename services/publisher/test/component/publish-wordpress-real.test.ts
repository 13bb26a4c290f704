import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { PublishTask } from '@pressroom/contracts';
import { startWordpressSite, type WordpressSite } from '../support/wordpress-site.ts';
import { publishPayload, startPublisher } from './publisher-harness.ts';

interface WpPost {
  id: number;
  slug: string;
  status: string;
  link: string;
  title: { raw: string; rendered: string };
  excerpt: { raw: string };
  content: { raw: string; rendered: string };
}

const TITLE = 'Tides <img src=x onerror=alert(1)> & the moon';

function tidesTask(): PublishTask {
  const task = publishPayload({ type: 'wordpress' }, TITLE);
  task.article.summary = 'Why the sea <b>rises</b> twice a day.';
  task.article.body_markdown =
    '# Tides\n\nThe moon pulls the sea [1], the sun less so [2].\n\n> Spring tides come at new and full moon.\n\n## Sources\n\n1. [NOAA tides](https://oceanservice.noaa.gov/tides)\n2. [Tide tables](https://tides.example.test/tables)\n';
  task.article.sources = [
    { title: 'NOAA tides', url: 'https://oceanservice.noaa.gov/tides' },
    { title: 'Tide tables', url: 'https://tides.example.test/tables' },
  ];
  return task;
}

describe('publisher, wordpress channel against a real WordPress (Debian packages, PHP built-in server, MariaDB)', () => {
  let site: WordpressSite;
  let live: Awaited<ReturnType<typeof startPublisher>>;
  let drafts: Awaited<ReturnType<typeof startPublisher>>;
  let redis: Redis;
  const postsBySlug = (slug: string) => site.api<WpPost[]>(`/wp/v2/posts?slug=${slug}&status=publish,draft&context=edit`);

  before(async () => {
    site = await startWordpressSite('pubwpreal');
    const settings = { WORDPRESS_URL: site.url, WORDPRESS_USER: site.user, WORDPRESS_APP_PASSWORD: site.appPassword, HTTP_TIMEOUT_MS: '20000' };
    live = await startPublisher('pubwplive', { ...settings, WORDPRESS_POST_STATUS: 'publish' });
    drafts = await startPublisher('pubwpdraft', { ...settings, WORDPRESS_POST_STATUS: 'draft' });
    redis = new Redis(live.config.REDIS_URL, { keyPrefix: live.config.REDIS_KEY_PREFIX });
  });

  after(async () => {
    redis?.disconnect();
    await live?.close();
    await drafts?.close();
    await site?.close();
  });

  it('when a task is published, then WordPress holds one post with the escaped title and excerpt, the rendered body with linked citations, the configured status, and published_url is its page', async () => {
    const env = await live.submit(tidesTask());
    const done = await live.completed(env);
    const url = done.result?.published_url ?? '';
    const slug = new URL(url).pathname.replace(/^\/|\/$/g, '');
    const posts = await postsBySlug(slug);
    assert.equal(posts.length, 1);
    const post = posts[0]!;
    assert.equal(post.status, 'publish');
    assert.equal(post.link, url);
    assert.equal(post.title.raw, 'Tides &lt;img src=x onerror=alert(1)&gt; &amp; the moon');
    assert.ok(!post.title.rendered.includes('<img'), post.title.rendered);
    assert.equal(post.excerpt.raw, 'Why the sea &lt;b&gt;rises&lt;/b&gt; twice a day.');
    assert.ok(
      post.content.raw.startsWith(
        '<h1>Tides</h1>\n<p>The moon pulls the sea <a href="https://oceanservice.noaa.gov/tides" class="citation" title="NOAA tides">[1]</a>',
      ),
      post.content.raw,
    );
    assert.ok(post.content.rendered.includes('<blockquote>'), 'the body is rendered HTML, not Markdown');
    assert.ok(post.content.rendered.includes('href="https://tides.example.test/tables" class="citation"'), 'citation [2] links to source 2');

    const page = await fetch(url);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.ok(html.includes('The moon pulls the sea'), 'published_url serves the post');
    assert.ok(!html.includes('<img src=x onerror'), 'the title is text on the page too');
  });

  it('when the same task is delivered again, or again after its idempotency marker was lost, then no second post is created and the same URL is reported', async () => {
    const task = tidesTask();
    const first = await live.completed(await live.submit(task));
    const url = first.result?.published_url ?? '';
    const slug = new URL(url).pathname.replace(/^\/|\/$/g, '');

    const redelivered = await live.completed(await live.submit(task, first.request_id));
    assert.equal(redelivered.result?.published_url, url);

    await redis.del(`published:${first.request_id}`);
    const afterLostMarker = await live.completed(await live.submit(task, first.request_id));
    assert.equal(afterLostMarker.result?.published_url, url);
    assert.equal((await postsBySlug(slug)).length, 1, 'one post per request');
  });

  it('when WORDPRESS_POST_STATUS is draft, then the post is a draft and published_url is its link', async () => {
    const done = await drafts.completed(await drafts.submit(tidesTask()));
    const url = done.result?.published_url ?? '';
    const id = Number(new URL(url).searchParams.get('p'));
    const post = await site.api<WpPost>(`/wp/v2/posts/${id}?context=edit`);
    assert.equal(post.status, 'draft');
    assert.equal(post.link, url);
  });
});
