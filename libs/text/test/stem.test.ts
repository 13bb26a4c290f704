import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stem } from '../src/index.ts';

// Examples from Porter's paper, step by step, and the forms the relevance rule depends on.
const PORTER: Record<string, string> = {
  caresses: 'caress',
  ponies: 'poni',
  ties: 'ti',
  caress: 'caress',
  cats: 'cat',
  feed: 'feed',
  agreed: 'agre',
  plastered: 'plaster',
  bled: 'bled',
  motoring: 'motor',
  sing: 'sing',
  conflated: 'conflat',
  troubled: 'troubl',
  sized: 'size',
  hopping: 'hop',
  tanned: 'tan',
  falling: 'fall',
  hissing: 'hiss',
  fizzed: 'fizz',
  failing: 'fail',
  filing: 'file',
  happy: 'happi',
  sky: 'sky',
  relational: 'relat',
  conditional: 'condit',
  rational: 'ration',
  digitizer: 'digit',
  vietnamization: 'vietnam',
  predication: 'predic',
  operator: 'oper',
  feudalism: 'feudal',
  decisiveness: 'decis',
  hopefulness: 'hope',
  callousness: 'callous',
  formaliti: 'formal',
  sensitiviti: 'sensit',
  sensibiliti: 'sensibl',
  triplicate: 'triplic',
  formative: 'form',
  formalize: 'formal',
  electrical: 'electr',
  hopeful: 'hope',
  goodness: 'good',
  revival: 'reviv',
  allowance: 'allow',
  inference: 'infer',
  airliner: 'airlin',
  gyroscopic: 'gyroscop',
  adjustable: 'adjust',
  defensible: 'defens',
  irritant: 'irrit',
  replacement: 'replac',
  adjustment: 'adjust',
  dependent: 'depend',
  adoption: 'adopt',
  homologous: 'homolog',
  communism: 'commun',
  activate: 'activ',
  effective: 'effect',
  bowdlerize: 'bowdler',
  probate: 'probat',
  rate: 'rate',
  cease: 'ceas',
  controll: 'control',
  roll: 'roll',
};

describe('stem (Porter)', () => {
  it("when given the examples of Porter's paper, then each stems as published", () => {
    for (const [word, expected] of Object.entries(PORTER)) assert.equal(stem(word), expected, word);
  });

  it('when a word comes in several forms, then they share one stem', () => {
    for (const group of [
      ['communicate', 'communication', 'communicating', 'communicates'],
      ['honeybee', 'honeybees'],
      ['tracing', 'traces', 'trace'],
      ['distributed', 'distribution'],
      ['roasting', 'roasted', 'roast'],
    ]) {
      assert.equal(new Set(group.map(stem)).size, 1, group.join(', '));
    }
  });

  it('when a word is short or not plain a–z, then it is left as it is', () => {
    for (const word of ['is', 'tcp3', 'café', 'москва', '3d']) assert.equal(stem(word), word);
  });
});
