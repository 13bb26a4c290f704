import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError } from '@pressroom/contracts';
import { extractJson, parseAnswer } from '../../src/providers/parse-answer.ts';

const answer = { title: 'Solar', summary: 'Short.', body_markdown: 'Panels work [1].' };
const parse = (content: string | null, finishReason: string | null = 'stop') => parseAnswer(content, finishReason, 2);

function failure(fn: () => unknown): TaskError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TaskError);
    return err;
  }
  throw new Error('expected a failure');
}

const MARKDOWN = `# How Solar Panels Work

Solar panels turn sunlight into electricity [1]. Most homes pair them with an inverter [2].

## Storage

Batteries keep the surplus for the evening [2].`;

describe('model answer parsing', () => {
  it('when the answer is plain JSON, then the draft is read', () => {
    assert.deepEqual(parse(JSON.stringify(answer)), answer);
  });

  it('when the answer is wrapped in a ```json fence with chatter around it, then the JSON inside is read', () => {
    const content = `Here is your article:\n\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\`\nEnjoy!`;
    assert.deepEqual(parse(content), answer);
  });

  it('when the fence has no language tag, then it is still read', () => {
    assert.deepEqual(parse(`\`\`\`\n${JSON.stringify(answer)}\n\`\`\``), answer);
  });

  it('when JSON is preceded by prose without a fence, then the object between the braces is read', () => {
    assert.equal(extractJson('Sure! {"a": 1} '), '{"a": 1}');
    assert.deepEqual(parse(`Sure! ${JSON.stringify(answer)}`), answer);
  });

  it('when a plain JSON answer holds a code fence in its body, then the whole object is still read', () => {
    const withCode = { ...answer, body_markdown: 'Example [1]:\n\n```json\n{"a": 1}\n```\n' };
    assert.deepEqual(parse(JSON.stringify(withCode)), withCode);
  });

  it('when the summary is missing, then it defaults to empty; near key names (body, excerpt) are accepted', () => {
    assert.equal(parse(JSON.stringify({ title: 't', body_markdown: 'b [1]' })).summary, '');
    assert.deepEqual(parse(JSON.stringify({ title: 't', excerpt: 's', body: 'b [2]' })), { title: 't', summary: 's', body_markdown: 'b [2]' });
  });

  it('when the answer is plain Markdown, then the first heading is the title, the rest the body and its first paragraph the summary', () => {
    assert.deepEqual(parse(MARKDOWN), {
      title: 'How Solar Panels Work',
      summary: 'Solar panels turn sunlight into electricity [1]. Most homes pair them with an inverter [2].',
      body_markdown: MARKDOWN.slice(MARKDOWN.indexOf('Solar panels')),
    });
  });

  it('when a Markdown answer has no heading, chatter before its heading, or a fence around it, then the title is still found', () => {
    assert.equal(parse('**Solar Power at Home**\n\nPanels cut bills [1].').title, 'Solar Power at Home');
    assert.equal(parse('Title: Solar Power\nPanels cut bills [1].').title, 'Solar Power');
    assert.equal(parse(`Sure, here is the article:\n\n${MARKDOWN}`).title, 'How Solar Panels Work');
    assert.equal(parse(`\`\`\`markdown\n${MARKDOWN}\n\`\`\``).title, 'How Solar Panels Work');
    assert.equal(parse('Solar Power\n===========\n\nPanels cut bills [1].').body_markdown, 'Panels cut bills [1].');
  });

  it('when the answer is empty, null, broken JSON or a lone line, then it is a transient llm_bad_output', () => {
    for (const content of ['', '   ', null, '{"title": "Solar", "body_markdown": ', '# Just a title']) {
      const err = failure(() => parse(content));
      assert.equal(err.code, 'llm_bad_output', String(content));
      assert.equal(err.transient, true);
    }
  });

  it('when the answer cites no source (or only sources that do not exist), then it is a transient llm_bad_output', () => {
    for (const content of ['# Solar\n\nPanels are great.', JSON.stringify({ ...answer, body_markdown: 'Panels work [7].' })]) {
      const err = failure(() => parse(content));
      assert.equal(err.code, 'llm_bad_output');
      assert.match(err.message, /cites none of the 2 sources/);
      assert.equal(err.transient, true);
    }
  });

  it('when the title or body is empty or not a string, then it is a transient llm_bad_output', () => {
    for (const bad of [{ ...answer, title: '  ' }, { ...answer, body_markdown: 42 }, { summary: 'x' }, []]) {
      const err = failure(() => parse(JSON.stringify(bad)));
      assert.equal(err.code, 'llm_bad_output');
      assert.equal(err.transient, true);
    }
  });

  it('when the model declines in prose or the provider filtered the answer, then it is a permanent llm_refused', () => {
    for (const [content, finish] of [
      ["I'm sorry, but I can't help with that.", 'stop'],
      ['I cannot write this article.', 'stop'],
      ['', 'content_filter'],
    ] as const) {
      const err = failure(() => parse(content, finish));
      assert.equal(err.code, 'llm_refused', content);
      assert.equal(err.transient, false);
    }
  });

  it('when an article merely starts with an apology but cites its sources, then it is an article', () => {
    assert.equal(parse("# Sorry Seems to Be the Hardest Word\n\nI'm sorry, the song begins [1].").title, 'Sorry Seems to Be the Hardest Word');
  });

  it('when the answer was cut off by max_tokens, then it is permanent: the same limit would cut it again', () => {
    for (const content of ['{"title": "Solar", "body_markdown": "Panels', MARKDOWN]) {
      const err = failure(() => parse(content, 'length'));
      assert.equal(err.code, 'llm_output_truncated');
      assert.equal(err.transient, false);
    }
  });
});
