import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StubReply } from '@pressroom/test-support';
import { aBrief, aWriteTask } from '../support/factories.ts';
import { chatCompletion, chatText, startChatStub } from '../support/chat-stub.ts';
import { citationsIn, startLlmWorker, type LlmWorker } from '../support/llm-worker.ts';

const article = { title: 'How Solar Panels Work', summary: 'Panels turn light into power [1].', body_markdown: 'Cells convert light [1]. Homes store it [2].' };
const MARKDOWN =
  '# Sunlight on the Roof\n\nRooftop panels turn light into power [1]. Many homes add a battery [2].\n\n## Inverters\n\nAn inverter makes alternating current [1].';

describe('llm worker with a model answering in different styles (real RabbitMQ and Redis, stub chat server)', () => {
  let stub: Awaited<ReturnType<typeof startChatStub>>;
  let llm: LlmWorker;

  before(async () => {
    stub = await startChatStub(
      {
        'fenced json': () => chatText(`Here is the article you asked for:\n\n\`\`\`json\n${JSON.stringify(article, null, 2)}\n\`\`\`\n`),
        'markdown answer': () => chatText(MARKDOWN),
        'empty then fine': (n) => (n === 1 ? chatText('') : chatCompletion(article)),
        'always uncited': () => chatText('# Solar\n\nSolar panels are a fine idea for most homes.'),
        'refusal field': () => ({
          body: {
            choices: [
              { index: 0, message: { role: 'assistant', content: null, refusal: "I'm sorry, I cannot help with that request." }, finish_reason: 'stop' },
            ],
          },
        }),
        'refusal prose': () => chatText("I'm sorry, but I can't help with that."),
        'cut off': () => chatText('{"title": "How Solar Panels Work", "body_markdown": "Cells convert light [1]. Homes', 'length'),
      },
      () => chatCompletion(article),
    );
    llm = await startLlmWorker({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: `${stub.url}/v1`,
      LLM_MODEL: 'gpt-4o-mini',
      RETRY_MAX_ATTEMPTS: '3',
      STARTED_EVENT_DELAY_MS: '0',
    });
  });
  after(async () => {
    await llm.stop();
    await stub.close();
  });

  const write = (topic: string) => llm.submit(aWriteTask({ brief: aBrief({ topic }) }));

  it('when the model wraps its JSON in a fence with chatter, then the article is read from the fence', async () => {
    const done = await llm.settled(await write('fenced json'));
    assert.equal(done.type, 'completed', done.error?.message);
    assert.equal(done.result?.article?.title, article.title);
    assert.match(done.result?.article?.body_markdown ?? '', /^Cells convert light \[1\]\. Homes store it \[2\]\./);
  });

  it('when the model answers in plain Markdown, then the title is its heading, the body the rest and the summary the first paragraph', async () => {
    const done = await llm.settled(await write('markdown answer'));
    assert.equal(done.type, 'completed', done.error?.message);
    const a = done.result?.article;
    assert.equal(a?.title, 'Sunlight on the Roof');
    assert.equal(a?.summary, 'Rooftop panels turn light into power [1]. Many homes add a battery [2].');
    assert.match(
      a?.body_markdown ?? '',
      /^Rooftop panels turn light into power \[1\]\. Many homes add a battery \[2\]\.\n\n## Inverters\n\nAn inverter makes alternating current \[1\]\.\n\n## Sources\n/,
    );
    assert.deepEqual([...new Set(citationsIn(a?.body_markdown ?? ''))], [1, 2]);
  });

  it('when the model answers with an empty string once, then the attempt is retried as llm_bad_output and the next answer is used', async () => {
    const rid = await write('empty then fine');
    const retrying = await llm.events.waitFor((e) => e.request_id === rid && e.type === 'retrying');
    assert.equal(retrying.error?.code, 'llm_bad_output');
    const done = await llm.settled(rid);
    assert.equal(done.type, 'completed');
    assert.equal(done.attempt, 2);
  });

  it('when the model keeps answering without a citation, then it is retried within the attempt budget and no more, then fails llm_bad_output', async () => {
    const rid = await write('always uncited');
    const failed = await llm.settled(rid);
    assert.equal(failed.type, 'failed');
    assert.equal(failed.error?.code, 'llm_bad_output');
    assert.equal(failed.attempt, 3);
    assert.equal(stub.requestsFor('always uncited').length, 3);
    assert.equal((await llm.deadLetterFor(rid))?.reason, 'retries_exhausted');
  });

  for (const [topic, code] of [
    ['refusal field', 'llm_refused'],
    ['refusal prose', 'llm_refused'],
    ['cut off', 'llm_output_truncated'],
  ] as const) {
    it(`when the model answers "${topic}", then it fails permanently with ${code}, is not retried and is dead-lettered with that reason`, async () => {
      const rid = await write(topic);
      const failed = await llm.settled(rid);
      assert.equal(failed.type, 'failed');
      assert.equal(failed.error?.code, code);
      assert.equal(failed.attempt, 1);
      assert.ok(!llm.events.events.some((e) => e.request_id === rid && e.type === 'retrying'));
      assert.equal(stub.requestsFor(topic).length, 1);
      const dead = await llm.deadLetterFor(rid);
      assert.equal(dead?.reason, code);
      assert.match(String(dead?.detail), new RegExp(`^${code}: `));
    });
  }
});

describe('llm worker with a server that rejects response_format (real RabbitMQ and Redis, stub chat server)', () => {
  let stub: Awaited<ReturnType<typeof startChatStub>>;
  let llm: LlmWorker;
  const formats: string[] = [];

  // Like a server that knows neither structured outputs nor JSON mode: 400 naming the field, Markdown otherwise.
  const server = (_n: number, req: { json(): unknown }): StubReply => {
    const format = (req.json() as { response_format?: { type: string } }).response_format?.type ?? 'none';
    formats.push(format);
    if (format !== 'none')
      return {
        status: 400,
        body: {
          error: { message: `Invalid parameter: 'response_format' of type '${format}' is not supported with this model.`, type: 'invalid_request_error' },
        },
      };
    return chatText(MARKDOWN);
  };

  before(async () => {
    stub = await startChatStub({}, server);
    llm = await startLlmWorker({ LLM_PROVIDER: 'openai', LLM_BASE_URL: `${stub.url}/v1`, LLM_MODEL: 'local-model', STARTED_EVENT_DELAY_MS: '0' });
  });
  after(async () => {
    await llm.stop();
    await stub.close();
  });

  it('when json_schema and json_object are answered 400, then the request is sent again without response_format within the same attempt', async () => {
    const done = await llm.settled(await llm.submit(aWriteTask({ brief: aBrief({ topic: 'first ask' }) })));
    assert.equal(done.type, 'completed', done.error?.message);
    assert.equal(done.attempt, 1);
    assert.deepEqual(formats, ['json_schema', 'json_object', 'none']);
    assert.equal(done.result?.article?.title, 'Sunlight on the Roof');
  });

  it('when a later task comes, then the format that worked is asked for at once', async () => {
    const done = await llm.settled(await llm.submit(aWriteTask({ brief: aBrief({ topic: 'second ask' }) })));
    assert.equal(done.type, 'completed');
    assert.deepEqual(formats.slice(3), ['none']);
  });
});

describe('llm worker with a reasoning model that refuses max_tokens and temperature (real RabbitMQ and Redis, stub chat server)', () => {
  let stub: Awaited<ReturnType<typeof startChatStub>>;
  let llm: LlmWorker;
  const asked: string[] = [];

  // OpenAI's answers for o-series and gpt-5 models, word for word in what matters: the parameter and its replacement.
  const server = (_n: number, req: { json(): unknown }): StubReply => {
    const body = req.json() as { max_tokens?: number; max_completion_tokens?: number; temperature?: number };
    asked.push(`${'max_tokens' in body ? 'max_tokens' : 'max_completion_tokens'}${'temperature' in body ? '+temperature' : ''}`);
    const refuse = (message: string, param: string) => ({
      status: 400,
      body: { error: { message, type: 'invalid_request_error', param, code: 'unsupported_parameter' } },
    });
    if ('max_tokens' in body)
      return refuse("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens');
    if ('temperature' in body)
      return refuse("Unsupported value: 'temperature' does not support 0.3 with this model. Only the default (1) value is supported.", 'temperature');
    return chatCompletion(article);
  };

  before(async () => {
    stub = await startChatStub({}, server);
    llm = await startLlmWorker({ LLM_PROVIDER: 'openai', LLM_BASE_URL: `${stub.url}/v1`, LLM_MODEL: 'o4-mini', STARTED_EVENT_DELAY_MS: '0' });
  });
  after(async () => {
    await llm.stop();
    await stub.close();
  });

  it('when max_tokens and then temperature are refused, to three tasks in flight at once, then each is sent again with max_completion_tokens and no temperature in the same attempt, and later tasks ask that way at once', async () => {
    const submitted = await Promise.all(
      ['reasoning one', 'reasoning two', 'reasoning three'].map((topic) => llm.submit(aWriteTask({ brief: aBrief({ topic }) }))),
    );
    const done = await Promise.all(submitted.map((id) => llm.settled(id)));
    for (const d of done) {
      assert.equal(d.type, 'completed', d.error?.message);
      assert.equal(d.attempt, 1);
    }
    assert.equal(asked.filter((a) => a === 'max_completion_tokens').length, 3, asked.join(', '));
    const before = asked.length;
    const later = await llm.settled(await llm.submit(aWriteTask({ brief: aBrief({ topic: 'reasoning later' }) })));
    assert.equal(later.type, 'completed');
    assert.deepEqual(asked.slice(before), ['max_completion_tokens']);
  });
});
