import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil, startHttpStub, type HttpStub, type RecordedRequest } from '@pressroom/test-support';
import { chatCompletion, topicOf } from '../../services/llm/test/support/chat-stub.ts';
import { deriveWebhookSecret, requestSecretContext, verifyStandardWebhook } from '@pressroom/resilience';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { listRequests, waitForAllFinal } from '../support/request-polling.ts';
import { startSlowStub } from '../support/slow-stub.ts';

// Subjects the sample corpus covers, so the embedded search finds sources. The drill's label goes in the
// audience, not the topic (extra topic words would make the corpus documents off-topic), so each request
// still has a prompt of its own.
const SUBJECTS = [
  'honeybees',
  'black holes',
  'coffee roasting',
  'composting',
  'coral reefs',
  'volcanoes',
  'wind power',
  'solar panels',
  'sourdough baking',
  'tea processing',
  'bird migration',
  'chess openings',
];

async function submitAll(pipeline: Pipeline, token: string, label: string, hookUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (const subject of SUBJECTS) {
    const res = await pipeline.api.call('POST', '/v1/requests', {
      token,
      body: { topic: subject, audience: label, length: 'short', channel: { type: 'webhook', url: hookUrl } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    ids.push(res.body.id);
  }
  return ids;
}

/** Every request published, none failed; a failure names the stage and its error. */
async function assertAllPublished(pipeline: Pipeline, token: string, ids: string[], final: Map<string, any>): Promise<void> {
  const unpublished = ids.filter((id) => final.get(id).status !== 'published');
  const details = await Promise.all(unpublished.map(async (id) => (await pipeline.api.call('GET', `/v1/requests/${id}`, { token })).body));
  assert.deepEqual(
    details.map((r) => ({ id: r.id, status: r.status, stages: r.stages })),
    [],
    'every request is published, none failed',
  );
}

/** The audience line of a chat request's user message. */
const audienceOf = (req: RecordedRequest) => /^Audience: (.+)$/m.exec((req.json() as { messages: Array<{ content: string }> }).messages[1]?.content ?? '')?.[1];

const keyOf = (post: RecordedRequest) => String(post.headers['idempotency-key']);

/** Per request id, the webhook POSTs it received; also checks each one is signed and keyed by its request id. */
function postsByKey(webhook: HttpStub, secret: string): Map<string, RecordedRequest[]> {
  const byKey = new Map<string, RecordedRequest[]>();
  for (const post of webhook.requests) {
    assert.equal(post.method, 'POST');
    assert.equal((post.json() as { request_id: string }).request_id, keyOf(post), 'Idempotency-Key is the request id');
    assert.ok(
      verifyStandardWebhook(deriveWebhookSecret(secret, requestSecretContext(keyOf(post))), post.body, post.headers),
      'every post is signed with its request’s secret',
    );
    byKey.set(keyOf(post), [...(byKey.get(keyOf(post)) ?? []), post]);
  }
  return byKey;
}

describe('a worker killed with SIGKILL while requests are in flight loses none, and none is published twice', () => {
  let pipeline: Pipeline;
  let llm: Awaited<ReturnType<typeof startSlowStub>>;

  before(async () => {
    // A slow model keeps write tasks in flight long enough to kill the worker in the middle of them. A second: with
    // 300 ms, a kill that landed a few hundred ms after the calls were seen (a busy machine, a stalled disk) found
    // them all answered, and the drill proved nothing.
    llm = await startSlowStub(1000, (req) =>
      chatCompletion({ title: topicOf(req), summary: 'A summary [1].', body_markdown: `What the source says about ${topicOf(req)} [1].` }),
    );
    pipeline = await startPipeline('e2ecrash', {
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${llm.url}/v1`,
      LLM_API_KEY: 'sk-e2e-crash-key',
      LLM_MODEL: 'gpt-e2e-crash',
      // A post cut off by a publisher crash leaves the dead worker's `publishing:<id>` lock (at least 30 s)
      // behind, and the new worker defers, without spending attempts, until it expires. With the default retry
      // settings that budget is ~30 s of deferrals plus ~80 s of attempts; the fast test settings shrink it to
      // ~12 s, so the deferral cap is raised to give back a budget longer than the lock, as in production.
    });
  });

  after(async () => {
    const codes = await pipeline?.close();
    await llm?.close();
    if (codes)
      assert.deepEqual(codes, { gateway: 0, research: 0, llm: 0, publisher: 0 }, 'every running service (the replacements included) exits 0 on SIGTERM');
  });

  describe('when the llm worker dies mid-write and a new one starts', () => {
    let webhook: HttpStub;
    let token: string;

    before(async () => {
      webhook = await startHttpStub(() => ({ status: 200, body: {} }));
      token = (await pipeline.api.registerAndLogin()).access;
    });
    after(() => webhook?.close());

    it('then every request is published, none fails, and each is posted exactly once', async (t) => {
      const ids = await submitAll(pipeline, token, 'Crash drill', `${webhook.url}/hook`);
      let writing = 0;
      await pollUntil(
        'a few write tasks in flight (status writing, calls held by the LLM stub)',
        async () => {
          writing = (await listRequests(pipeline.api, token, 'writing')).length;
          return writing >= 3 && llm.held() >= 2 ? true : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 20, lastSeen: () => `${writing} writing, ${llm.held()} LLM calls held` },
      );
      await pipeline.kill('llm');
      // Calls still held after the kill were made by the dead worker: their answers can never arrive.
      const orphanedCalls = llm.held();
      assert.ok(orphanedCalls >= 1, 'the kill interrupted at least one LLM call');
      await pipeline.start('llm');

      const final = await waitForAllFinal(pipeline.api, token, ids, 20_000);
      await assertAllPublished(pipeline, token, ids, final);
      const byKey = postsByKey(webhook, pipeline.env['WEBHOOK_SIGNING_SECRET']!);
      assert.equal(webhook.requests.length, ids.length, 'one POST per request in total');
      assert.deepEqual([...byKey.keys()].sort(), [...ids].sort());
      for (const [key, posts] of byKey) assert.equal(posts.length, 1, `request ${key} posted once`);
      // The interrupted tasks were redelivered to the new worker and written again.
      const calls = llm.requests.filter((r) => audienceOf(r) === 'Crash drill').length;
      assert.ok(calls >= ids.length + orphanedCalls, `${calls} LLM calls for ${ids.length} requests and ${orphanedCalls} orphaned calls`);
      t.diagnostic(`${orphanedCalls} LLM calls orphaned by the kill; ${calls} LLM calls in all`);
    });
  });

  describe('when the publisher dies mid-post and a new one starts', () => {
    let webhook: Awaited<ReturnType<typeof startSlowStub>>;
    let token: string;

    before(async () => {
      // A slow receiver keeps posts in flight long enough to kill the publisher in the middle of them (as long as the
      // model above, for the same reason).
      webhook = await startSlowStub(1000, (req) => ({ status: 200, body: { url: `https://news.example.test/posts/${keyOf(req)}` } }));
      token = (await pipeline.api.registerAndLogin()).access;
    });
    after(() => webhook?.close());

    it('then every request is published and delivered with its Idempotency-Key; only posts cut off by the crash repeat', async (t) => {
      const ids = await submitAll(pipeline, token, 'Publisher drill', `${webhook.url}/hook`);
      await pollUntil('a few webhook posts in flight', () => (webhook.held() >= 2 ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 10,
        lastSeen: () => `${webhook.requests.length} posts`,
      });
      const publishedBeforeKill = new Set((await listRequests(pipeline.api, token, 'published')).map((r) => r.id as string));
      await pipeline.kill('publisher');
      const killedAt = Date.now();
      await pipeline.start('publisher');

      // The stale `publishing:<id>` locks expire 30 s after their post began (services/publisher/src/publish-handler.ts).
      const final = await waitForAllFinal(pipeline.api, token, ids, 45_000);
      await assertAllPublished(pipeline, token, ids, final);
      const byKey = postsByKey(webhook, pipeline.env['WEBHOOK_SIGNING_SECRET']!);
      assert.deepEqual([...byKey.keys()].sort(), [...ids].sort(), 'every request delivered at least once');

      // `published_at` is stamped by the posting worker, on the same clock: before the kill means the dead one.
      const byDeadWorker = (post: RecordedRequest) => Date.parse((post.json() as { published_at: string }).published_at) <= killedAt;
      // In flight at the kill: posted by the dead worker, not yet reported published. Only these may repeat.
      const inFlightAtKill = new Set(
        webhook.requests
          .filter(byDeadWorker)
          .map(keyOf)
          .filter((key) => !publishedBeforeKill.has(key)),
      );
      assert.ok(inFlightAtKill.size >= 1, 'the kill interrupted at least one post');

      // DESIGN's guarantee: a crash between the post and the idempotency marker can repeat a post. The repeat
      // carries the same Idempotency-Key and article, so the receiver can drop it; nothing else repeats.
      const repeats = webhook.requests.length - byKey.size;
      t.diagnostic(`${inFlightAtKill.size} posts in flight at the kill, ${repeats} repeated`);
      assert.ok(repeats <= inFlightAtKill.size, `${repeats} repeated posts, ${inFlightAtKill.size} in flight at the kill`);
      for (const [key, posts] of byKey) {
        if (posts.length === 1) continue;
        assert.ok(inFlightAtKill.has(key), `request ${key} repeated although it was not in flight at the kill`);
        assert.deepEqual(posts.map(byDeadWorker), [true, false], `request ${key}: one post by the dead worker, one by its replacement`);
        const [first, second] = posts.map((p) => p.json() as { title: string; body_markdown: string });
        assert.deepEqual([second!.title, second!.body_markdown], [first!.title, first!.body_markdown], 'the repeat carries the same article');
      }
    });
  });
});
