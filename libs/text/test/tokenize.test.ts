import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clip, splitSentences, termSet, tokenize } from '../src/index.ts';

describe('tokenize', () => {
  it('when text has mixed case and punctuation, then it is split into lower-case stemmed words', () => {
    assert.deepEqual(tokenize('Solar-Panels, TCP/IP & 3D'), ['solar', 'panel', 'tcp', 'ip', '3d']);
  });

  it('when text holds stop words or framing words, then they are dropped', () => {
    assert.deepEqual(tokenize('A beginner’s guide to the history of the printing press'), ['histori', 'print', 'press']);
  });

  it('when words are not English or not ASCII, then letters and digits stay together, unstemmed', () => {
    assert.deepEqual(tokenize('Nîmes café 42°C'), ['nîmes', 'café', '42', 'c']);
    assert.deepEqual(tokenize('Москва 東京'), ['москва', '東京']);
  });

  it('when a word has an apostrophe, then it stays one word', () => {
    assert.deepEqual(tokenize("starter's don’t"), ['starter']);
  });

  it('when text is empty or punctuation only, then there are no tokens', () => {
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize('  --- !!! '), []);
  });

  it('when a term set is asked for, then each token appears once', () => {
    assert.deepEqual([...termSet('Roasting beans, roasted bean')], ['roast', 'bean']);
  });
});

describe('splitSentences', () => {
  it('when a line holds several sentences, then Intl.Segmenter splits them', () => {
    assert.deepEqual(splitSentences('Bees dance. They share food!  Do they sing?'), ['Bees dance.', 'They share food!', 'Do they sing?']);
  });

  it('when a sentence holds an initial, a title or a quoted question, then it is not cut there', () => {
    assert.deepEqual(splitSentences('Pianists such as James P. Johnson played. Dr. Smith agreed. “Is it?” she asked.'), [
      'Pianists such as James P. Johnson played.',
      'Dr. Smith agreed.',
      '“Is it?” she asked.',
    ]);
  });

  it('when text has line breaks, then each line ends a sentence, so headings stand alone', () => {
    assert.deepEqual(splitSentences('Communication and foraging\nForagers dance on the comb.\n\n  \nEnd'), [
      'Communication and foraging',
      'Foragers dance on the comb.',
      'End',
    ]);
  });
});

describe('clip', () => {
  it('when text is short, then it is kept; when long, then it is cut at a word boundary with an ellipsis', () => {
    assert.equal(clip('short', 10), 'short');
    assert.equal(clip('alpha beta gamma delta', 18), 'alpha beta gamma…');
    assert.ok(clip('x'.repeat(50), 10).length <= 10);
    assert.equal(clip('abc', 0), '');
  });
});
