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
  /**
   * What else decides its answers (the endpoint, the token cap): part of the response cache key, so an article
   * written by another server or under another cap is not served after the settings change.
   */
  cacheScope: string;
  /** `signal` aborts when the request is cancelled mid-call: the call is abandoned, not awaited. */
  complete(input: WriteInput, signal?: AbortSignal): Promise<Completion>;
}

// What a call that answered, and so was billed, spent although its answer could not be used (a refusal, a cut-off
// or unreadable answer): the error that says why carries it to whoever counts the spend.
const spentBy = new WeakMap<object, Pick<Completion, 'responseModel' | 'usage'>>();

/** Marks `err` as thrown for an answer that cost `spent`; returns `err`. */
export function withSpend(err: unknown, spent: Pick<Completion, 'responseModel' | 'usage'>): unknown {
  if (typeof err === 'object' && err !== null) spentBy.set(err, spent);
  return err;
}

/** What the call behind `err` spent, when it got an answer. */
export const spendOf = (err: unknown): Pick<Completion, 'responseModel' | 'usage'> | undefined =>
  typeof err === 'object' && err !== null ? spentBy.get(err) : undefined;
