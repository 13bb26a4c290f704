import type { Brief, Source } from '@pressroom/contracts';
import type { Draft } from '../article/finalize-article.ts';
import type { ChatMessage } from '../prompt/build-prompt.ts';

export interface WriteInput {
  brief: Brief;
  sources: readonly Source[];
  messages: ChatMessage[];
}

export interface TokenUsage {
  input: number;
  output: number;
}

/** What a writer returns, and what the response cache stores. */
export interface Completion {
  draft: Draft;
  responseModel: string;
  usage?: TokenUsage;
}

export interface WriterProvider {
  /** Metric label and breaker suffix. */
  name: 'local' | 'openai';
  /** OpenTelemetry `gen_ai.system`. */
  system: string;
  model: string;
  /** `signal` aborts when the request is cancelled mid-call: the call is abandoned, not awaited. */
  complete(input: WriteInput, signal?: AbortSignal): Promise<Completion>;
}
