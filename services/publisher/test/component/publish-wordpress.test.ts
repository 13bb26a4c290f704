import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipBomb, startHttpStub, type HttpStub, type RecordedRequest, type StubReply } from '@pressroom/test-support';
import { publishTask } from '@pressroom/messaging';
import { publishPayload, startPublisher } from './publisher-harness.ts';

const USER = 'editor';
const APP_PASSWORD = 'abcd EFGH 1234 ijkl MNOP 5678';

describe('publisher, wordpress channel (real RabbitMQ and Redis, stub WordPress)', () => {
  let p: Awaited<ReturnType<typeof startPublisher>>;
  let unconfigured: Awaited<ReturnType<typeof startPublisher>>;
  let wordpress: HttpStub;
  let lookup: (req: RecordedRequest) => StubReply = () => ({ body: [] });
  let create: (req: RecordedRequest) => StubReply = () => ({ status: 201, body: { id: 42, link: 'https://blog.example.test/2025/tides/' } });
  const posts = () => wordpress.requests.filter((r) => r.method === 'POST');

  before(async () => {
    wordpress = await startHttpStub((req) => (req.method === 'GET' ? lookup(req) : create(req)));
    p = await startPublisher('pubwp', {
      WORDPRESS_URL: `${wordpress.url}/`,
      WORDPRESS_USER: USER,
      WORDPRESS_APP_PASSWORD: APP_PASSWORD,
      WORDPRESS_POST_STATUS: 'draft',
      RESPONSE_MAX_BYTES: String(1 << 20),
      RETRY_MAX_ATTEMPTS: '2',
    });
    unconfigured = await startPublisher('pubwpnone');
  });

  after(async () => {
    await p.close();
    await unconfigured.close();
    await wordpress.close();
  });

  it('when a wordpress task arrives, then a post is created over the REST API with escaped title and excerpt, rendered body and linked citations', async () => {
    const payload = publishPayload({ type: 'wordpress' }, 'Tides <img src=x onerror=alert(1)> & "moons"');
    payload.article.summary = 'The moon <b>pulls</b> the oceans.';
    const env = await p.submit(payload);
    const done = await p.completed(env);
    const [find, post] = wordpress.requests.slice(-2);
    assert.equal(find?.method, 'GET');
    assert.equal(find?.path, '/wp-json/wp/v2/posts');
    const slug = find?.query.get('slug') ?? '';
    assert.match(slug, /^tides-img-src-x-onerror-alert-1-moons-[0-9a-f]{12}$/);
    assert.equal(find?.query.get('status'), 'publish,future,draft,pending,private');

    assert.equal(post?.method, 'POST');
    assert.equal(post?.path, '/wp-json/wp/v2/posts');
    assert.equal(post?.headers.authorization, `Basic ${Buffer.from(`${USER}:${APP_PASSWORD}`).toString('base64')}`);
    assert.equal(post?.headers['idempotency-key'], env.request_id);
    assert.match(String(post?.headers['content-type']), /^application\/json/);
    const body = post?.json() as Record<string, string>;
    assert.equal(body.status, 'draft');
    assert.equal(body.slug, slug);
    assert.equal(body.title, 'Tides &lt;img src=x onerror=alert(1)&gt; &amp; &quot;moons&quot;', 'sent as text: WordPress renders titles as HTML');
    assert.equal(body.excerpt, 'The moon &lt;b&gt;pulls&lt;/b&gt; the oceans.');
    assert.equal(
      body.content,
      '<h1>Tides</h1>\n<p>The moon pulls the sea <a href="https://oceanservice.noaa.gov/tides" class="citation" title="NOAA tides">[1]</a>.</p>\n<ul>\n<li>spring tides</li>\n<li>neap tides</li>\n</ul>\n',
    );
    assert.equal(done.result?.published_url, 'https://blog.example.test/2025/tides/');
  });

  it('when a post with the request slug already exists, then it is reported and no second post is made', async () => {
    lookup = () => ({ body: [{ id: 7, link: 'https://blog.example.test/2025/earlier/' }] });
    try {
      const before = posts().length;
      const env = await p.submit(publishPayload({ type: 'wordpress' }));
      const done = await p.completed(env);
      assert.equal(done.result?.published_url, 'https://blog.example.test/2025/earlier/');
      assert.equal(posts().length, before);
    } finally {
      lookup = () => ({ body: [] });
    }
  });

  it('when WordPress answers the post with a gzip bomb, then it is refused without inflating it and the retry finds the post instead of posting twice', async () => {
    let made: string | undefined;
    create = (req) => {
      made = (req.json() as { slug: string }).slug;
      return { status: 201, body: gzipBomb(300), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
    };
    lookup = (req) => ({ body: made && req.query.get('slug') === made ? [{ id: 9, link: 'https://blog.example.test/2025/bombed/' }] : [] });
    try {
      const before = posts().length;
      const env = await p.submit(publishPayload({ type: 'wordpress' }));
      const failed = await p.events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
      assert.equal(failed.error?.code, 'response_too_large');
      assert.equal(posts().length - before, 1);
      // A permanent failure is dead-lettered; replaying it (as an operator would) finds the post.
      const replay = await p.submit(publishPayload({ type: 'wordpress' }), env.request_id);
      const done = await p.completed(replay);
      assert.equal(done.result?.published_url, 'https://blog.example.test/2025/bombed/');
      assert.equal(posts().length - before, 1, 'one post for the request');
    } finally {
      create = () => ({ status: 201, body: { id: 42, link: 'https://blog.example.test/2025/tides/' } });
      lookup = () => ({ body: [] });
    }
  });

  it('when the lookup and the create each take most of HTTP_TIMEOUT_MS, then a second delivery of the request still finds the post and does not post again', async () => {
    // A slow site: each call answers just inside the timeout, and a post becomes visible when its create answers.
    const timeoutMs = 3000;
    const slowMs = timeoutMs - 300;
    const visible: Array<{ id: number; slug: string }> = [];
    const wait = (ms: number) => new Promise((done) => setTimeout(done, ms));
    const slowSite = await startHttpStub(async (req) => {
      if (req.method === 'GET') {
        const slug = req.query.get('slug');
        const seen = visible.filter((v) => v.slug === slug);
        return { body: seen.map((v) => ({ id: v.id, link: `https://blog.example.test/?p=${v.id}` })), delayMs: slowMs };
      }
      await wait(slowMs);
      const id = visible.length + 100;
      visible.push({ id, slug: (req.json() as { slug: string }).slug });
      return { status: 201, body: { id, link: `https://blog.example.test/?p=${id}` } };
    });
    const slow = await startPublisher('pubwpslow', {
      WORDPRESS_URL: slowSite.url,
      WORDPRESS_USER: USER,
      WORDPRESS_APP_PASSWORD: APP_PASSWORD,
      HTTP_TIMEOUT_MS: String(timeoutMs),
    });
    try {
      const payload = publishPayload({ type: 'wordpress' });
      const first = slow.envelope(payload);
      const again = slow.envelope(payload, first.request_id);
      // Two deliveries of one request at once (a redelivery, or a duplicate): the second waits out the first's lock.
      await Promise.all([publishTask(slow.worker.broker, first), publishTask(slow.worker.broker, again)]);
      const [a, b] = await Promise.all([slow.completed(first), slow.completed(again)]);
      assert.equal(slowSite.requests.filter((r) => r.method === 'POST').length, 1, 'one post for the request');
      assert.equal(a.result?.published_url, b.result?.published_url);
    } finally {
      await slow.close();
      await slowSite.close();
    }
  });

  it('when the create times out but WordPress goes on creating the post, then the retry waits for it and finds it instead of posting again', async () => {
    // WordPress's PHP keeps running after the client gave up: the post appears 900 ms after its create arrived.
    const timeoutMs = 300;
    const created: Array<{ at: number; slug: string }> = [];
    const site = await startHttpStub(async (req) => {
      if (req.method === 'GET') {
        const slug = req.query.get('slug');
        const done = created.filter((c) => c.slug === slug && Date.now() - c.at >= 900);
        return { body: done.map((_, i) => ({ id: 300 + i, link: `https://blog.example.test/?p=${300 + i}` })) };
      }
      created.push({ at: Date.now(), slug: (req.json() as { slug: string }).slug });
      return { status: 201, body: { id: 300, link: 'https://blog.example.test/?p=300' }, delayMs: 900 };
    });
    const late = await startPublisher('pubwplate', {
      WORDPRESS_URL: site.url,
      WORDPRESS_USER: USER,
      WORDPRESS_APP_PASSWORD: APP_PASSWORD,
      HTTP_TIMEOUT_MS: String(timeoutMs),
    });
    try {
      const env = await late.submit(publishPayload({ type: 'wordpress' }));
      const done = await late.completed(env);
      assert.equal(site.requests.filter((r) => r.method === 'POST').length, 1, 'one create: the retry found the post');
      assert.equal(done.result?.published_url, 'https://blog.example.test/?p=300');
    } finally {
      await late.close();
      await site.close();
    }
  });

  it('when WordPress is not configured, then the task fails permanently as channel_not_configured', async () => {
    const env = await unconfigured.submit(publishPayload({ type: 'wordpress' }));
    const failed = await unconfigured.events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    assert.equal(failed.error?.code, 'channel_not_configured');
    assert.equal(failed.attempt, 1);
  });
});
