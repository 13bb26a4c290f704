import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskError } from '@pressroom/contracts';
import { buildChatRequest, openAiCacheScope, readCompletion, rejectsResponseFormat } from '../../src/providers/openai-chat.ts';

const config = { LLM_BASE_URL: 'http://localhost:11434/v1/', LLM_MODEL: 'llama3.1', LLM_MAX_TOKENS: 900, LLM_TIMEOUT_MS: 60_000 };
const messages = [{ role: 'user' as const, content: 'hi' }];

describe('OpenAI-compatible request and response', () => {
  it('when no API key is set, then no Authorization header is sent (Ollama, llama.cpp)', () => {
    const req = buildChatRequest(config, messages);
    assert.equal(req.url, 'http://localhost:11434/v1/chat/completions');
    assert.deepEqual(req.headers, {});
  });

  it('when the endpoint or the token cap differs, then so does the cache scope (another server, another cap, another answer)', () => {
    const scope = openAiCacheScope;
    assert.equal(scope(config), scope({ ...config, LLM_BASE_URL: 'http://localhost:11434/v1' }), 'a trailing slash is the same endpoint');
    assert.notEqual(scope({ ...config, LLM_BASE_URL: 'https://api.openai.com/v1' }), scope(config));
    assert.notEqual(scope({ ...config, LLM_MAX_TOKENS: 1800 }), scope(config));
  });

  it('when an API key is set, then it is sent as a Bearer token', () => {
    assert.deepEqual(buildChatRequest({ ...config, LLM_API_KEY: 'sk-abc' }, messages).headers, { authorization: 'Bearer sk-abc' });
  });

  it('when structured output is asked for, then the article schema goes as json_schema, else json_object, else no response_format at all', () => {
    const base = { model: 'llama3.1', messages, temperature: 0.3, max_tokens: 900 };
    const schema = buildChatRequest(config, messages, 'json_schema').body as Record<string, any>;
    assert.equal(schema['response_format'].type, 'json_schema');
    assert.equal(schema['response_format'].json_schema.strict, true);
    assert.deepEqual(schema['response_format'].json_schema.schema.required, ['title', 'summary', 'body_markdown']);
    assert.deepEqual(buildChatRequest(config, messages, 'json_object').body, { ...base, response_format: { type: 'json_object' } });
    assert.deepEqual(buildChatRequest(config, messages, 'none').body, base);
  });

  it('when a server answers 400 or 422 naming response_format, then that is a rejection of the field; other errors are not', () => {
    const error = (statusCode: number, body: unknown) => ({ response: { statusCode, body } });
    assert.ok(
      rejectsResponseFormat(error(400, '{"error":{"message":"Invalid parameter: response_format of type json_schema is not supported with this model."}}')),
    );
    assert.ok(rejectsResponseFormat(error(422, Buffer.from('{"detail":"json_object is not allowed"}'))));
    assert.equal(rejectsResponseFormat(error(400, '{"error":{"message":"context_length_exceeded"}}')), false);
    assert.equal(rejectsResponseFormat(error(500, 'response_format crashed the server')), false);
    assert.equal(rejectsResponseFormat(new Error('socket hang up')), false);
  });

  it('when the provider answers, then draft, response model and token usage are read', () => {
    const raw = JSON.stringify({
      model: 'llama3.1:8b',
      choices: [{ message: { content: '{"title":"T","summary":"S","body_markdown":"B [1]"}' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 120, completion_tokens: 45 },
    });
    assert.deepEqual(readCompletion(raw, 'llama3.1', 1), {
      draft: { title: 'T', summary: 'S', body_markdown: 'B [1]' },
      responseModel: 'llama3.1:8b',
      usage: { input: 120, output: 45 },
    });
  });

  it('when the model refuses through the refusal field, then the failure is a permanent llm_refused', () => {
    const raw = JSON.stringify({ choices: [{ message: { content: null, refusal: 'no' } }] });
    assert.throws(
      () => readCompletion(raw, 'm', 1),
      (err: TaskError) => err.code === 'llm_refused' && !err.transient,
    );
  });

  it('when the body is not JSON or has no choices, then it is a transient llm_bad_output', () => {
    for (const raw of ['<html>gateway</html>', '{}'])
      assert.throws(
        () => readCompletion(raw, 'm', 1),
        (err: TaskError) => err.code === 'llm_bad_output' && err.transient,
      );
  });
});
