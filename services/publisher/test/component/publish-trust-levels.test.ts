import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpStub, type HttpStub } from '@pressroom/test-support';
import { publishPayload, startPublisher } from './publisher-harness.ts';

describe('publisher, two trust levels for outbound calls (real RabbitMQ and Redis, stub WordPress and receiver)', () => {
  let p: Awaited<ReturnType<typeof startPublisher>>;
  let wordpress: HttpStub;
  let receiver: HttpStub;

  before(async () => {
    wordpress = await startHttpStub((req) => (req.method === 'GET' ? { body: [] } : { status: 201, body: { id: 7, link: 'https://blog.example.test/p/7' } }));
    receiver = await startHttpStub(() => ({ status: 204 }));
    // WordPress on a private address, as an operator may run it, with the allowance for user targets off.
    p = await startPublisher('pubtrust', {
      ALLOW_PRIVATE_TARGETS: 'false',
      WORDPRESS_URL: wordpress.url,
      WORDPRESS_USER: 'editor',
      WORDPRESS_APP_PASSWORD: 'abcd EFGH 1234 ijkl MNOP 5678',
      STARTED_EVENT_DELAY_MS: '0',
    });
  });

  after(async () => {
    await p.close();
    await Promise.all([wordpress.close(), receiver.close()]);
  });

  it('when WORDPRESS_URL is on a private address and ALLOW_PRIVATE_TARGETS=false, then the post is published there', async () => {
    const env = await p.submit(publishPayload({ type: 'wordpress' }));
    const done = await p.completed(env);
    assert.equal(done.result?.published_url, 'https://blog.example.test/p/7');
    assert.equal(wordpress.requests.filter((r) => r.method === 'POST').length, 1);
  });

  it('when a request’s webhook URL is on a private address, then it fails as target_forbidden with a safe message and no request is made', async () => {
    const env = await p.submit(publishPayload({ type: 'webhook', url: `${receiver.url.replace('127.0.0.1', 'localhost')}/hook` }));
    const failed = await p.events.waitFor((e) => e.message_id === env.message_id && e.type === 'failed');
    assert.deepEqual(failed.error, { code: 'target_forbidden', message: 'the webhook target is not allowed' });
    assert.equal(receiver.requests.length, 0);
  });
});

describe('publisher, errors for users and details for operators (real RabbitMQ and Redis)', () => {
  let p: Awaited<ReturnType<typeof startPublisher>>;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pressroom-unwritable-'));
    await writeFile(join(dir, 'not-a-folder'), 'x');
    p = await startPublisher('puberrors', { PUBLISH_DIR: join(dir, 'not-a-folder', 'published'), STARTED_EVENT_DELAY_MS: '0' });
  });

  after(async () => {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the publishing folder cannot be written, then the event carries a stable code and a message without the path', async () => {
    const env = await p.submit(publishPayload({ type: 'file' }));
    const failed = await p.events.waitFor((e) => e.message_id === env.message_id && e.type === 'failed');
    assert.deepEqual(failed.error, { code: 'publish_dir_unwritable', message: 'the article could not be written to the publishing folder' });
    assert.ok(!JSON.stringify(failed).includes(dir), 'no file path in the event');
  });
});
