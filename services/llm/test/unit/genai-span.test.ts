import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { transientError } from '@pressroom/contracts';
import { inGenAiSpan } from '../../src/generate/genai-span.ts';
import type { WriterProvider } from '../../src/providers/writer-provider.ts';

const openai: WriterProvider = { name: 'openai', system: 'openai', model: 'gpt-4o-mini', cacheScope: '', complete: () => Promise.reject(new Error('unused')) };
const draft = { title: 'T', summary: 'S', body_markdown: 'B' };

describe('GenAI span', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

  before(() => trace.setGlobalTracerProvider(provider));
  after(async () => {
    await provider.shutdown();
    trace.disable();
  });

  it('when a model call succeeds, then a "chat <model>" span carries the GenAI attributes', async () => {
    exporter.reset();
    await inGenAiSpan(openai, async () => ({ draft, responseModel: 'gpt-4o-mini-2024-07-18', usage: { input: 321, output: 54 } }));
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.name, 'chat gpt-4o-mini');
    assert.deepEqual(span?.attributes, {
      'gen_ai.system': 'openai',
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': 321,
      'gen_ai.usage.output_tokens': 54,
    });
  });

  it('when a model call fails, then the span is marked as an error with the failure code', async () => {
    exporter.reset();
    await assert.rejects(inGenAiSpan(openai, () => Promise.reject(transientError('upstream_timeout', 'slow'))));
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes['error.type'], 'upstream_timeout');
  });
});
