import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postSlug } from '../../src/channels/post-slug.ts';

const REQUEST_ID = '3F2A9C41-D7E0-4B6A-9C1D-0E5F6A7B8C9D';

describe('post slug', () => {
  it('when a title has accents, punctuation and markup, then the slug keeps its words in WordPress slug characters and ends with the request', () => {
    assert.equal(postSlug('Crème brûlée: <b>why</b> it "sets"!', REQUEST_ID), 'creme-brulee-b-why-b-it-sets-3f2a9c41d7e0');
  });

  it('when a title has no latin letters or is very long, then the slug is still short, stable and names the request', () => {
    assert.equal(postSlug('潮汐', REQUEST_ID), 'article-3f2a9c41d7e0');
    const long = postSlug('word '.repeat(40), REQUEST_ID);
    assert.ok(long.length <= 73 && long.endsWith('-3f2a9c41d7e0') && !long.includes('--'), long);
    assert.equal(postSlug('word '.repeat(40), REQUEST_ID), long);
  });
});
