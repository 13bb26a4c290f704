import type { Config } from '@pressroom/config';
import { permanentError, transientError } from '@pressroom/contracts';
import { classifyHttpError, createHttpClient, type Breakers } from '@pressroom/resilience';
import type { ChatMessage } from '../prompt/build-prompt.ts';
import { parseAnswer } from './parse-answer.ts';
import type { Completion, WriterProvider } from './writer-provider.ts';

// The key is optional at run time (Ollama, llama.cpp need none) although Config types it as a plain string.
type LlmConfig = Pick<Config, 'LLM_BASE_URL' | 'LLM_MODEL' | 'LLM_MAX_TOKENS' | 'LLM_TIMEOUT_MS'> & { LLM_API_KEY?: string | undefined };

interface ChatCompletionResponse {
  model?: string;
  choices?: Array<{ message?: { content?: string | null; refusal?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** The request, as a pure value: the one shape OpenAI, Ollama, vLLM and llama.cpp all accept. */
export function buildChatRequest(config: LlmConfig, messages: readonly ChatMessage[]) {
  return {
    url: `${config.LLM_BASE_URL.replace(/\/+$/, '')}/chat/completions`,
    // Local servers run without a key; an empty "Bearer " header makes some proxies answer 401.
    headers: config.LLM_API_KEY ? { authorization: `Bearer ${config.LLM_API_KEY}` } : {},
    body: {
      model: config.LLM_MODEL,
      messages,
      temperature: 0.3,
      max_tokens: config.LLM_MAX_TOKENS,
      response_format: { type: 'json_object' },
    },
  };
}

export function readCompletion(raw: string, requestedModel: string): Completion {
  let res: ChatCompletionResponse;
  try {
    res = JSON.parse(raw) as ChatCompletionResponse;
  } catch {
    throw transientError('llm_bad_output', 'LLM provider answered with a body that is not JSON');
  }
  const choice = res.choices?.[0];
  if (choice?.message?.refusal) throw permanentError('llm_refused', `LLM refused: ${choice.message.refusal.slice(0, 300)}`);
  const draft = parseAnswer(choice?.message?.content, choice?.finish_reason);
  const usage = res.usage ? { input: res.usage.prompt_tokens ?? 0, output: res.usage.completion_tokens ?? 0 } : undefined;
  return { draft, responseModel: res.model ?? requestedModel, ...(usage ? { usage } : {}) };
}

/**
 * An OpenAI-compatible chat-completions client. The base URL comes only from operator configuration, never
 * from a request, and self-hosted servers usually listen on loopback or a private network, so the SSRF guard
 * that protects user-supplied targets is relaxed for it. Only the HTTP exchange runs under the breaker:
 * a malformed answer says nothing about the endpoint's health.
 */
export function createOpenAiChat(deps: { config: LlmConfig; breakers: Breakers }): WriterProvider {
  const { config, breakers } = deps;
  const client = createHttpClient({ timeoutMs: config.LLM_TIMEOUT_MS, allowPrivateTargets: true });
  return {
    name: 'openai',
    system: 'openai',
    model: config.LLM_MODEL,
    async complete({ messages }) {
      const req = buildChatRequest(config, messages);
      const raw = await breakers.call('llm:openai', async () => {
        try {
          return await client.post(req.url, { json: req.body, headers: req.headers }).text();
        } catch (err) {
          throw classifyHttpError(err, 'LLM provider');
        }
      });
      return readCompletion(raw, config.LLM_MODEL);
    },
  };
}
