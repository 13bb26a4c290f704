import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipBomb, startHttpStub, type HttpStub, type StubReply } from '@pressroom/test-support';
import { deriveWebhookSecret, endpointSecretContext, requestSecretContext, verifyStandardWebhook, verifyWebhookSignature } from '@pressroom/resilience';
import { publishPayload, startPublisher } from './publisher-harness.ts';

describe('publisher, webhook channel (real RabbitMQ and Redis, stub receiver)', () => {
  let p: Awaited<ReturnType<typeof startPublisher>>;
  let guarded: Awaited<ReturnType<typeof startPublisher>>;
  let receiver: HttpStub;
  // Failing receivers get their own stubs, so the healthy one's requests are easy to count apart.
  let flaky: HttpStub;
  let gone: HttpStub;

  before(async () => {
    receiver = await startHttpStub((req): StubReply => {
      const rid = String(req.headers['idempotency-key']);
      if (req.path === '/hook') return { status: 201, headers: { location: `/posts/${rid}` }, body: { ok: true } };
      if (req.path === '/hook-json') return { status: 200, body: { url: `https://blog.example.test/p/${rid}` } };
      if (req.path === '/hook-bomb') return { status: 200, body: gzipBomb(300), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
      return { status: 204 };
    });
    flaky = await startHttpStub(() => ({ status: flaky.requests.length === 1 ? 500 : 202 }));
    gone = await startHttpStub(() => ({ status: 410, body: { error: 'gone' } }));
    p = await startPublisher('pubhook');
    guarded = await startPublisher('pubhookssrf', { ALLOW_PRIVATE_TARGETS: 'false' });
  });

  after(async () => {
    await p.close();
    await guarded.close();
    await Promise.all([receiver.close(), flaky.close(), gone.close()]);
  });

  it('when a webhook task arrives, then the receiver gets one signed JSON POST with the article and the idempotency key', async () => {
    const payload = publishPayload({ type: 'webhook', url: `${receiver.url}/hook` });
    const before = Math.floor(Date.now() / 1000);
    const env = await p.submit(payload);
    const done = await p.completed(env);
    const received = receiver.requests.filter((r) => r.headers['idempotency-key'] === env.request_id);
    assert.equal(received.length, 1);
    const req = received[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/hook');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-pressroom-request-id'], env.request_id);
    const body = req.json() as Record<string, unknown>;
    assert.deepEqual(
      { ...body, published_at: undefined },
      {
        request_id: env.request_id,
        title: payload.article.title,
        summary: payload.article.summary,
        body_markdown: payload.article.body_markdown,
        sources: payload.article.sources,
        topic: payload.brief.topic,
        published_at: undefined,
      },
    );
    assert.ok(!Number.isNaN(Date.parse(String(body.published_at))));
    const ts = String(req.headers['x-pressroom-timestamp']);
    assert.match(ts, /^\d+$/);
    assert.ok(Number(ts) >= before && Number(ts) <= Math.floor(Date.now() / 1000));
    const signature = String(req.headers['x-pressroom-signature']);
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    // An ad-hoc URL is signed with the secret derived for its request (the gateway returned it at submit), never the master.
    const own = deriveWebhookSecret(p.config.WEBHOOK_SIGNING_SECRET!, requestSecretContext(env.request_id));
    assert.equal(verifyWebhookSignature(own, ts, req.body, signature), true, 'the deprecated headers, with the same secret');
    assert.equal(verifyWebhookSignature(p.config.WEBHOOK_SIGNING_SECRET!, ts, req.body, signature), false, 'the master key never signs');
    assert.equal(verifyStandardWebhook(own, req.body, req.headers), true, 'Standard Webhooks headers');
    assert.equal(req.headers['webhook-id'], `msg_${env.request_id}`);
    const another = deriveWebhookSecret(p.config.WEBHOOK_SIGNING_SECRET!, requestSecretContext(randomUUID()));
    assert.equal(verifyStandardWebhook(another, req.body, req.headers), false, "another request's secret does not verify");
    assert.equal(done.result?.published_url, `${receiver.url}/posts/${env.request_id}`, 'the Location header');
  });

  it('when a task names a registered endpoint, then the post is signed with that endpoint’s secret for every version in its overlap window', async () => {
    const endpointId = randomUUID();
    const payload = publishPayload({ type: 'webhook', endpoint_id: endpointId, url: `${receiver.url}/endpoint`, secret_versions: [3, 2] });
    const env = await p.submit(payload);
    await p.completed(env);
    const post = receiver.requests.find((r) => r.headers['idempotency-key'] === env.request_id)!;
    const master = p.config.WEBHOOK_SIGNING_SECRET!;
    for (const version of [3, 2])
      assert.equal(
        verifyStandardWebhook(deriveWebhookSecret(master, endpointSecretContext(endpointId, version)), post.body, post.headers),
        true,
        `version ${version}`,
      );
    assert.equal(verifyStandardWebhook(deriveWebhookSecret(master, endpointSecretContext(endpointId, 1)), post.body, post.headers), false, 'a retired version');
    assert.equal(
      verifyStandardWebhook(deriveWebhookSecret(master, endpointSecretContext(randomUUID(), 3)), post.body, post.headers),
      false,
      'another endpoint',
    );
  });

  it('when the receiver answers with a JSON url or nothing, then published_url is that url or the webhook url', async () => {
    const json = await p.submit(publishPayload({ type: 'webhook', url: `${receiver.url}/hook-json` }));
    const plain = await p.submit(publishPayload({ type: 'webhook', url: `${receiver.url}/plain` }));
    assert.equal((await p.completed(json)).result?.published_url, `https://blog.example.test/p/${json.request_id}`);
    assert.equal((await p.completed(plain)).result?.published_url, `${receiver.url}/plain`);
  });

  it('when the receiver answers a gzip bomb, then the answer is refused without inflating it and the task fails as response_too_large', async () => {
    const env = await p.submit(publishPayload({ type: 'webhook', url: `${receiver.url}/hook-bomb` }));
    const failed = await p.events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    assert.equal(failed.error?.code, 'response_too_large');
    assert.equal(failed.attempt, 1);
  });

  it('when the receiver answers 500, then a retrying event follows and the retry posts with the same idempotency key', async () => {
    const env = await p.submit(publishPayload({ type: 'webhook', url: `${flaky.url}/hook` }));
    const retrying = await p.events.waitFor((e) => e.request_id === env.request_id && e.type === 'retrying');
    assert.equal(retrying.error?.code, 'upstream_500');
    const done = await p.completed(env);
    assert.equal(done.attempt, 2);
    assert.deepEqual(
      flaky.requests.map((r) => r.headers['idempotency-key']),
      [env.request_id, env.request_id],
    );
  });

  it('when the receiver answers 410, then the task fails permanently at once', async () => {
    const env = await p.submit(publishPayload({ type: 'webhook', url: `${gone.url}/hook` }));
    const failed = await p.events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    assert.equal(failed.error?.code, 'upstream_410');
    assert.equal(failed.attempt, 1);
    assert.equal(gone.requests.length, 1);
    assert.ok(!p.events.events.some((e) => e.request_id === env.request_id && e.type === 'retrying'));
  });

  it('when the receiver redirects to another origin (http to https), then the task fails permanently as target_redirected and nothing is sent there', async () => {
    const moved = await startHttpStub(() => ({ status: 200, body: { ok: true } }));
    const redirector = await startHttpStub(() => ({ status: 301, headers: { location: `${moved.url}/hook?token=secret` } }));
    try {
      const env = await p.submit(publishPayload({ type: 'webhook', url: `${redirector.url}/hook` }));
      const failed = await p.events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
      assert.equal(failed.error?.code, 'target_redirected');
      assert.equal(failed.error?.message, 'the publishing target answered with a redirect, which is not followed: use the URL it redirects to');
      assert.equal(moved.requests.length, 0, 'no body-less GET was sent to the new origin and taken for a delivery');
    } finally {
      await Promise.all([moved.close(), redirector.close()]);
    }
  });

  it('when private targets are not allowed, then a webhook to a loopback address fails permanently without a request', async () => {
    const env = await guarded.submit(publishPayload({ type: 'webhook', url: `${gone.url}/ssrf` }));
    const failed = await guarded.events.waitFor((e) => e.request_id === env.request_id && e.type === 'failed');
    assert.equal(failed.error?.code, 'target_forbidden');
    assert.ok(!gone.requests.some((r) => r.path === '/ssrf'));
  });
});
