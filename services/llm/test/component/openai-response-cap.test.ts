import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipBomb } from '@pressroom/test-support';
import { aBrief, aWriteTask } from '../support/factories.ts';
import { startChatStub } from '../support/chat-stub.ts';
import { startLlmWorker, type LlmWorker } from '../support/llm-worker.ts';

describe('llm worker when the model server answers a gzip bomb (real RabbitMQ and Redis, stub chat server)', () => {
  let stub: Awaited<ReturnType<typeof startChatStub>>;
  let llm: LlmWorker;

  before(async () => {
    stub = await startChatStub({}, () => ({ body: gzipBomb(300), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }));
    llm = await startLlmWorker({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${stub.url}/v1`,
      LLM_API_KEY: 'sk-test-0f3a9c2d7b1e',
      RESPONSE_MAX_BYTES: String(1 << 20),
    });
  });
  after(async () => {
    await llm.stop();
    await stub.close();
  });

  it('when the answer inflates to 300 MiB, then it is refused after RESPONSE_MAX_BYTES, the task fails as response_too_large and memory stays flat', async () => {
    const held = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = held();
    const done = await llm.settled(await llm.submit(aWriteTask({ brief: aBrief({ topic: 'rooftop solar basics' }) })));
    const grewMiB = (held() - before) / (1 << 20);
    assert.equal(done.type, 'failed');
    assert.equal(done.error?.code, 'response_too_large');
    assert.equal(done.attempt, 1, 'refused for good, not retried');
    assert.ok(grewMiB < 64, `memory grew by ${grewMiB.toFixed(1)} MiB`);
  });
});
