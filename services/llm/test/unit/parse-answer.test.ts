import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError } from '@pressroom/contracts';
import { extractJson, parseAnswer } from '../../src/providers/parse-answer.ts';

const answer = { title: 'Solar', summary: 'Short.', body_markdown: 'Panels work [1].' };

function failure(fn: () => unknown): TaskError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TaskError);
    return err;
  }
  throw new Error('expected a failure');
}

describe('model answer parsing', () => {
  it('when the answer is plain JSON, then the draft is read', () => {
    assert.deepEqual(parseAnswer(JSON.stringify(answer)), answer);
  });

  it('when the answer is wrapped in a ```json fence with chatter around it, then the JSON inside is read', () => {
    const content = `Here is your article:\n\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\`\nEnjoy!`;
    assert.deepEqual(parseAnswer(content), answer);
  });

  it('when the fence has no language tag, then it is still read', () => {
    assert.deepEqual(parseAnswer(`\`\`\`\n${JSON.stringify(answer)}\n\`\`\``), answer);
  });

  it('when JSON is preceded by prose without a fence, then the object between the braces is read', () => {
    assert.equal(extractJson('Sure! {"a": 1} '), '{"a": 1}');
  });

  it('when a plain JSON answer holds a code fence in its body, then the whole object is still read', () => {
    const withCode = { ...answer, body_markdown: 'Example:\n\n```json\n{"a": 1}\n```\n' };
    assert.deepEqual(parseAnswer(JSON.stringify(withCode)), withCode);
  });

  it('when the summary is missing, then it defaults to empty', () => {
    assert.equal(parseAnswer(JSON.stringify({ title: 't', body_markdown: 'b' })).summary, '');
  });

  it('when the answer is not JSON, empty, or null, then it is a transient llm_bad_output', () => {
    for (const content of ['I cannot help with that', '', null]) {
      const err = failure(() => parseAnswer(content));
      assert.equal(err.code, 'llm_bad_output');
      assert.equal(err.transient, true);
    }
  });

  it('when the title or body is empty or not a string, then it is a transient llm_bad_output', () => {
    for (const bad of [{ ...answer, title: '  ' }, { ...answer, body_markdown: 42 }, { summary: 'x' }, []]) {
      const err = failure(() => parseAnswer(JSON.stringify(bad)));
      assert.equal(err.code, 'llm_bad_output');
      assert.equal(err.transient, true);
    }
  });

  it('when the answer was cut off by max_tokens, then it is permanent: the same limit would cut it again', () => {
    const err = failure(() => parseAnswer('{"title": "Solar", "body_markdown": "Panels', 'length'));
    assert.equal(err.code, 'llm_output_truncated');
    assert.equal(err.transient, false);
  });
});
