import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stem, tokenize } from '../../src/search/tokenize.ts';

describe('tokenize', () => {
  it('lowercases and splits on non-alphanumeric characters', () => {
    assert.deepEqual(tokenize('Solar-Panels, TCP/IP & 3D'), ['solar', 'panel', 'tcp', 'ip', '3d']);
  });

  it('drops stopwords', () => {
    assert.deepEqual(tokenize('The history of the printing press'), ['history', 'print', 'press']);
  });

  it('keeps non-ASCII letters and digits together', () => {
    assert.deepEqual(tokenize('Nîmes café 42°C naïve'), ['nîmes', 'café', '42', 'c', 'naïve']);
    assert.deepEqual(tokenize('Москва 東京'), ['москва', '東京']);
  });

  it('treats apostrophes as part of the word', () => {
    assert.deepEqual(tokenize("starter's don’t"), ['starter', 'dont']);
  });

  it('returns an empty array for empty or punctuation-only input', () => {
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize('  --- !!! '), []);
  });
});

describe('stem', () => {
  it('strips plural endings', () => {
    assert.equal(stem('starters'), 'starter');
    assert.equal(stem('boxes'), 'box');
    assert.equal(stem('churches'), 'church');
    assert.equal(stem('batteries'), 'battery');
    assert.equal(stem('classes'), 'class');
  });

  it('leaves words that merely end in s alone', () => {
    assert.equal(stem('glass'), 'glass');
    assert.equal(stem('virus'), 'virus');
    assert.equal(stem('analysis'), 'analysis');
    assert.equal(stem('gas'), 'gas');
  });

  it('strips ing and ed conservatively', () => {
    assert.equal(stem('indexing'), 'index');
    assert.equal(stem('indexed'), 'index');
    assert.equal(stem('running'), 'run');
    assert.equal(stem('stopped'), 'stop');
    assert.equal(stem('rolling'), 'roll');
    assert.equal(stem('baking'), stem('baked'));
  });

  it('does not mangle short or vowel-less stems', () => {
    assert.equal(stem('string'), 'string');
    assert.equal(stem('king'), 'king');
    assert.equal(stem('red'), 'red');
    assert.equal(stem('need'), 'need');
    assert.equal(stem('speed'), 'speed');
  });

  it('maps matching query and document forms to the same token', () => {
    assert.deepEqual(tokenize('Roasting beans'), tokenize('roasted bean'));
  });
});
