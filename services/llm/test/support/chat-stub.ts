import { startHttpStub, type RecordedRequest, type StubReply } from '@pressroom/test-support';

export type Scenario = (attempt: number, req: RecordedRequest) => StubReply;

/** The topic line of the user message, which is how a stub tells one test's requests from another's. */
export function topicOf(req: RecordedRequest): string {
  const body = req.json() as { messages?: Array<{ content: string }> };
  return /^Topic: (.+)$/m.exec(body.messages?.[1]?.content ?? '')?.[1] ?? '';
}

/** An answer the way OpenAI words it: the article as a JSON string, plus token usage. */
export function chatCompletion(article: object, model = 'gpt-4o-mini-2024-07-18'): StubReply {
  return {
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify(article) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 812, completion_tokens: 240, total_tokens: 1052 },
    },
  };
}

/** An answer whose content is the given text as is (Markdown, fenced JSON, prose), with its finish reason. */
export function chatText(content: string, finishReason = 'stop'): StubReply {
  return {
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      model: 'stub-model',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    },
  };
}

/** A chat-completions stand-in whose answer per request is scripted by topic and attempt number. */
export async function startChatStub(scenarios: Record<string, Scenario>, fallback: Scenario) {
  const attempts = new Map<string, number>();
  const stub = await startHttpStub((req) => {
    const topic = topicOf(req);
    const attempt = (attempts.get(topic) ?? 0) + 1;
    attempts.set(topic, attempt);
    return (scenarios[topic] ?? fallback)(attempt, req);
  });
  return { ...stub, requestsFor: (topic: string) => stub.requests.filter((r) => topicOf(r) === topic) };
}
