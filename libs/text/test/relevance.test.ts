import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAbout, parseTopic, profileText } from '../src/index.ts';

describe('parseTopic', () => {
  it('when a topic is a question, then its content words are kept as written and as stems', () => {
    const topic = parseTopic('How do honeybees communicate?');
    assert.deepEqual(topic.words, ['honeybees', 'communicate']);
    assert.deepEqual(topic.terms, ['honeybe', 'commun']);
  });

  it('when a topic has n content words, then at least half of them, and at least two, are required', () => {
    const required = (topic: string) => parseTopic(topic).required;
    assert.equal(required('volcanoes'), 1);
    assert.equal(required('sourdough starter'), 2);
    assert.equal(required('tracing distributed systems'), 2);
    assert.equal(required('solar panel roof cost'), 2);
    assert.equal(required('solar panel roof cost winter'), 3);
    assert.equal(required('what is this?'), 0);
  });

  it('when a word repeats in another form, then it counts once', () => {
    assert.deepEqual(parseTopic('Roasting roasted coffee').terms, ['roast', 'coffe']);
  });
});

describe('isAbout', () => {
  const topic = parseTopic('Tracing distributed systems');

  it('when the topic words occur together in one sentence, then the text is about the topic', () => {
    assert.ok(isAbout(topic, profileText('Observability', 'Tracing follows a request through distributed systems.')));
  });

  it('when the topic words are scattered over separate sentences, then the text is not about the topic', () => {
    const trees = profileText('Urban trees', 'Trees slow runoff into drainage systems.\nCanopy cover is unevenly distributed across a city.');
    assert.equal(isAbout(topic, trees), false);
  });

  it('when the title holds some topic words and a heading or sentence the rest, then the text is about the topic', () => {
    const bees = profileText('The Life of a Honeybee Colony', 'Communication and foraging\nForagers dance on the comb.');
    assert.ok(isAbout(parseTopic('How do honeybees communicate?'), bees));
  });

  it('when only the title holds the topic words, then the text is not about the topic', () => {
    assert.equal(isAbout(topic, profileText('Tracing distributed systems', 'Street trees cool a city.')), false);
  });

  it('when the text holds fewer topic words than required, then it is not about the topic', () => {
    assert.equal(isAbout(topic, profileText('Systems', 'Systems thinking for managers.')), false);
  });

  it('when the topic has no content words, then no text is about it', () => {
    assert.equal(isAbout(parseTopic('what is this?'), profileText('This', 'What is this? This is it.')), false);
  });
});
