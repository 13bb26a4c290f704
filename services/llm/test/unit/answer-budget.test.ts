import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@pressroom/config';
import { createLogger } from '@pressroom/logger';
import { ANSWER_TOKENS } from '../../src/prompt/build-prompt.ts';
import { warnIfAnswersCut } from '../../src/write-handler.ts';

function capture() {
  const lines: string[] = [];
  return { logger: createLogger({ service: 'llm', level: 'warn', destination: { write: (l: string) => void lines.push(l) } }), lines };
}

describe('the answer token budget', () => {
  it('when the llm runs with the default LLM_MAX_TOKENS, then every article length fits, long ones included', () => {
    const config = loadConfig('llm', { NODE_ENV: 'test', LLM_PROVIDER: 'openai' });
    assert.ok(config.LLM_MAX_TOKENS >= ANSWER_TOKENS.long, `${config.LLM_MAX_TOKENS} < ${ANSWER_TOKENS.long}`);
    const { logger, lines } = capture();
    assert.deepEqual(warnIfAnswersCut(config, logger), []);
    assert.deepEqual(lines, []);
  });

  it('when LLM_MAX_TOKENS is below what long articles need, then the start says which lengths will be cut off', () => {
    const { logger, lines } = capture();
    assert.deepEqual(warnIfAnswersCut({ LLM_PROVIDER: 'openai', LLM_MAX_TOKENS: 1500 }, logger), ['medium', 'long']);
    assert.match(JSON.parse(lines[0]!).msg, /LLM_MAX_TOKENS=1500 is below what medium and long articles need/);
    assert.deepEqual(warnIfAnswersCut({ LLM_PROVIDER: 'local', LLM_MAX_TOKENS: 16 }, logger), [], 'the built-in writer has no token cap');
  });
});
