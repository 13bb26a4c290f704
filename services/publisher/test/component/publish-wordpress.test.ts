import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpStub, type HttpStub } from '@pressroom/test-support';
import { publishPayload, startPublisher } from './publisher-harness.ts';

const USER = 'editor';
const APP_PASSWORD = 'abcd EFGH 1234 ijkl MNOP 5678';

describe('publisher, wordpress channel (real RabbitMQ and Redis, stub WordPress)', () => {
  let p: Awaited<ReturnType<typeof startPublisher>>;
  let unconfigured: Awaited<ReturnType<typeof startPublisher>>;
  let wordpress: HttpStub;

  before(async () => {
    wordpress = await startHttpStub(() => ({ status: 201, body: { id: 42, link: 'https://blog.example.test/2025/tides/' } }));
    p = await startPublisher('pubwp', { WORDPRESS_URL: `${wordpress.url}/`, WORDPRESS_USER: USER, WORDPRESS_APP_PASSWORD: APP_PASSWORD, WORDPRESS_POST_STATUS: 'draft' });
    unconfigured = await startPublisher('pubwpnone');
  });

  after(async () => {
    await p.close();
    await unconfigured.close();
    await wordpress.close();
  });

  it('when a wordpress task arrives, then a post is created over the REST API and published_url is its link', async () => {
    const payload = publishPayload({ type: 'wordpress' }, 'Tides <script>alert(1)</script>');
    const env = await p.submit(payload);
    const done = await p.completed(env);
    assert.equal(wordpress.requests.length, 1);
    const req = wordpress.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/wp-json/wp/v2/posts');
    assert.equal(req.headers.authorization, `Basic ${Buffer.from(`${USER}:${APP_PASSWORD}`).toString('base64')}`);
    assert.equal(req.headers['idempotency-key'], env.request_id);
    assert.match(String(req.headers['content-type']), /^application\/json/);
    const body = req.json() as Record<string, string>;
    assert.equal(body.status, 'draft');
    assert.equal(body.title, payload.article.title, 'WordPress escapes titles itself; the raw title is sent');
    assert.equal(body.excerpt, payload.article.summary);
    assert.equal(body.content, '<h1>Tides</h1>\n<p>The moon pulls the sea [1].</p>\n<ul><li>spring tides</li><li>neap tides</li></ul>');
    assert.equal(done.result?.published_url, 'https://blog.example.test/2025/tides/');
  });

  it('when WordPress is not configured, then the task fails permanently as channel_not_configured', async () => {
    const env = await unconfigured.submit(publishPayload({ type: 'wordpress' }));
    const failed = await unconfigured.events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    assert.equal(failed.error?.code, 'channel_not_configured');
    assert.equal(failed.attempt, 1);
  });
});
