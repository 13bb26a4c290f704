import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Completion, WriterProvider } from '../providers/writer-provider.ts';

const tracer = trace.getTracer('pressroom.llm');

/**
 * One span per model call, named and attributed after the OpenTelemetry GenAI semantic conventions
 * (`chat <model>`). `gen_ai.provider.name` is the newer name of `gen_ai.system`; both are set for
 * backends on either side of the rename. The request's ids come from the span processor (the stage's log context).
 */
export function inGenAiSpan(provider: WriterProvider, call: () => Promise<Completion>): Promise<Completion> {
  const attributes = {
    'gen_ai.system': provider.system,
    'gen_ai.provider.name': provider.system,
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': provider.model,
  };
  const kind = provider.name === 'local' ? SpanKind.INTERNAL : SpanKind.CLIENT;
  return tracer.startActiveSpan(`chat ${provider.model}`, { kind, attributes }, async (span) => {
    try {
      const completion = await call();
      span.setAttribute('gen_ai.response.model', completion.responseModel);
      if (completion.usage) {
        span.setAttribute('gen_ai.usage.input_tokens', completion.usage.input);
        span.setAttribute('gen_ai.usage.output_tokens', completion.usage.output);
      }
      return completion;
    } catch (err) {
      span.recordException(err as Error);
      span.setAttribute('error.type', (err as { code?: string }).code ?? 'internal');
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
