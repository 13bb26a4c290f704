import type { Config } from '@pressroom/config';
import { permanentError, transientError } from '@pressroom/contracts';
import type { Logger } from '@pressroom/logger';
import { classifyHttpError, createOperatorClient, type Breakers, type HttpClient } from '@pressroom/resilience';
import type { ChatMessage } from '../prompt/build-prompt.ts';
import { parseAnswer } from './parse-answer.ts';
import { withSpend, type Completion, type WriterProvider } from './writer-provider.ts';

// The key is optional at run time (Ollama, llama.cpp need none) although Config types it as a plain string.
type LlmConfig = Pick<Config, 'LLM_BASE_URL' | 'LLM_MODEL' | 'LLM_MAX_TOKENS' | 'LLM_TIMEOUT_MS'> & {
  LLM_API_KEY?: string | undefined;
  RESPONSE_MAX_BYTES?: number;
};

interface ChatCompletionResponse {
  model?: string;
  choices?: Array<{ message?: { content?: string | null; refusal?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/**
 * How strongly the answer's shape is asked for, strongest first: a JSON schema (OpenAI structured outputs,
 * vLLM, llama.cpp, recent Ollama), any JSON object (older servers), nothing (servers that reject the field).
 */
const RESPONSE_FORMATS = ['json_schema', 'json_object', 'none'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

const ARTICLE_SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, summary: { type: 'string' }, body_markdown: { type: 'string' } },
  required: ['title', 'summary', 'body_markdown'],
  additionalProperties: false,
};

function responseFormat(format: ResponseFormat) {
  if (format === 'json_schema') return { response_format: { type: 'json_schema', json_schema: { name: 'article', strict: true, schema: ARTICLE_SCHEMA } } };
  if (format === 'json_object') return { response_format: { type: 'json_object' } };
  return {};
}

/** The request, as a pure value: the one shape OpenAI, Ollama, vLLM and llama.cpp all accept. */
/** The endpoint and the token cap: with the model and the prompt, what decides an answer. */
export function openAiCacheScope(config: LlmConfig): string {
  return `${config.LLM_BASE_URL.replace(/\/+$/, '')} max_tokens=${config.LLM_MAX_TOKENS}`;
}

/**
 * How the sampling parameters are sent. `classic` is what every server takes; OpenAI's reasoning models (o1, o3,
 * o4, gpt-5) refuse `max_tokens` (they want `max_completion_tokens`) and any temperature but their default.
 */
interface Sampling {
  tokenParam: 'max_tokens' | 'max_completion_tokens';
  temperature: boolean;
}
const CLASSIC: Sampling = { tokenParam: 'max_tokens', temperature: true };

export function buildChatRequest(config: LlmConfig, messages: readonly ChatMessage[], format: ResponseFormat = 'json_schema', sampling: Sampling = CLASSIC) {
  return {
    url: `${config.LLM_BASE_URL.replace(/\/+$/, '')}/chat/completions`,
    // Local servers run without a key; an empty "Bearer " header makes some proxies answer 401.
    headers: config.LLM_API_KEY ? { authorization: `Bearer ${config.LLM_API_KEY}` } : {},
    body: {
      model: config.LLM_MODEL,
      messages,
      ...(sampling.temperature ? { temperature: 0.3 } : {}),
      [sampling.tokenParam]: config.LLM_MAX_TOKENS,
      ...responseFormat(format),
    },
  };
}

/** The body of a 400 (or FastAPI's 422): the server refusing a field it does not support. */
function refusalBody(err: unknown): string | undefined {
  const res = (err as { response?: { statusCode?: unknown; body?: unknown } } | undefined)?.response;
  if (!res || (res.statusCode !== 400 && res.statusCode !== 422)) return undefined;
  return typeof res.body === 'string' ? res.body : Buffer.isBuffer(res.body) ? res.body.toString('utf8') : '';
}

/** A 400 (or FastAPI's 422) that names the field: the server does not support this response_format. */
export function rejectsResponseFormat(err: unknown): boolean {
  return /response_format|json_schema|json_object|structured output/i.test(refusalBody(err) ?? '');
}

/**
 * The sampling a refusal asks for instead, or undefined when the refusal is about something else: OpenAI answers
 * a reasoning model's `max_tokens` with "Use 'max_completion_tokens' instead" and its temperature with "Only the
 * default (1) value is supported".
 */
function samplingAfterRefusal(err: unknown, sampling: Sampling): Sampling | undefined {
  const body = refusalBody(err) ?? '';
  if (sampling.tokenParam === 'max_tokens' && /max_tokens/.test(body) && /max_completion_tokens/.test(body))
    return { ...sampling, tokenParam: 'max_completion_tokens' };
  if (sampling.temperature && /temperature/i.test(body) && /unsupported|not supported|only the default/i.test(body)) return { ...sampling, temperature: false };
  return undefined;
}

export function readCompletion(raw: string, requestedModel: string, sourceCount: number): Completion {
  let res: ChatCompletionResponse;
  try {
    res = JSON.parse(raw) as ChatCompletionResponse;
  } catch {
    throw transientError('llm_bad_output', 'LLM provider answered with a body that is not JSON');
  }
  const choice = res.choices?.[0];
  const usage = res.usage ? { input: res.usage.prompt_tokens ?? 0, output: res.usage.completion_tokens ?? 0 } : undefined;
  const spent = { responseModel: res.model ?? requestedModel, ...(usage ? { usage } : {}) };
  try {
    if (choice?.message?.refusal) throw permanentError('llm_refused', `LLM refused: ${choice.message.refusal.slice(0, 300)}`);
    return { draft: parseAnswer(choice?.message?.content, choice?.finish_reason, sourceCount), ...spent };
  } catch (err) {
    // Answered, so billed: the tokens count although the answer is not used.
    throw withSpend(err, spent);
  }
}

/** The HTTP exchange alone, so that how a body is read stays in one place. */
async function postChat(client: HttpClient, req: ReturnType<typeof buildChatRequest>, signal?: AbortSignal): Promise<string> {
  return client.post(req.url, { json: req.body, headers: req.headers, ...(signal ? { signal } : {}) }).text();
}

/**
 * An OpenAI-compatible chat-completions client. The base URL comes only from operator configuration, never
 * from a request, and self-hosted servers usually listen on loopback or a private network, so the SSRF guard
 * that protects user-supplied targets is relaxed for it. Only the HTTP exchange runs under the breaker:
 * a malformed answer says nothing about the endpoint's health. When the server rejects a response_format,
 * the next weaker one is tried at once and kept for later calls, so each process pays the 400 once; the same for
 * the sampling parameters a reasoning model refuses (max_tokens, temperature).
 */
export function createOpenAiChat(deps: { config: LlmConfig; breakers: Breakers; logger?: Logger }): WriterProvider {
  const { config, breakers, logger } = deps;
  const client = createOperatorClient({ timeoutMs: config.LLM_TIMEOUT_MS, maxResponseBytes: config.RESPONSE_MAX_BYTES });
  let level = 0;
  let sampling = CLASSIC;
  return {
    name: 'openai',
    system: 'openai',
    model: config.LLM_MODEL,
    cacheScope: openAiCacheScope(config),
    async complete({ messages, sources }, signal) {
      const raw = await breakers.call('llm:openai', async () => {
        for (;;) {
          const format = RESPONSE_FORMATS[level] ?? 'none';
          // What this call sends: calls in flight together all meet the same refusal, each judged by what it sent.
          const sent = sampling;
          try {
            return await postChat(client, buildChatRequest(config, messages, format, sent), signal);
          } catch (err) {
            // Abandoned because every request waiting on it was cancelled: says nothing about the endpoint, so a
            // permanent error (the breaker counts only transient ones), never a retry.
            if (signal?.aborted) throw permanentError('cancelled', 'the LLM call was abandoned: the request was cancelled', { cause: err });
            if (level < RESPONSE_FORMATS.length - 1 && rejectsResponseFormat(err)) {
              level++;
              logger?.warn({ rejected: format, next: RESPONSE_FORMATS[level] }, 'LLM server rejects this response_format; asking with the next weaker one');
              continue;
            }
            // Kept for later calls, like the response_format: each process pays each refusal once.
            const next = samplingAfterRefusal(err, sent);
            if (next) {
              const merged: Sampling = {
                tokenParam:
                  next.tokenParam === 'max_completion_tokens' || sampling.tokenParam === 'max_completion_tokens' ? 'max_completion_tokens' : 'max_tokens',
                temperature: next.temperature && sampling.temperature,
              };
              if (merged.tokenParam !== sampling.tokenParam || merged.temperature !== sampling.temperature)
                logger?.warn(
                  { rejected: sent, next: merged, LLM_MAX_TOKENS: config.LLM_MAX_TOKENS },
                  'LLM model rejects these sampling parameters (a reasoning model); asking with the ones it names. Its reasoning tokens count against LLM_MAX_TOKENS: set it well above what an article needs (16000, say)',
                );
              sampling = merged;
              continue;
            }
            throw classifyHttpError(err, 'LLM provider');
          }
        }
      });
      return readCompletion(raw, config.LLM_MODEL, sources.length);
    },
  };
}
