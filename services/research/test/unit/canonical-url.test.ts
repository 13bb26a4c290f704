import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalUrl } from '../../src/sources/canonical-url.ts';

describe('canonicalUrl', () => {
  it('when URLs differ only in scheme, www, case of host, trailing slash, fragment or tracking parameters, then they share one key', () => {
    const same = [
      'https://Example.org/guide',
      'http://www.example.org/guide/',
      'https://example.org/guide#intro',
      'https://example.org/guide?utm_source=news&fbclid=abc',
      'https://example.org:443/guide',
    ];
    assert.equal(new Set(same.map(canonicalUrl)).size, 1);
  });

  it('when URLs differ in path or in meaningful parameters, then their keys differ; parameter order does not matter', () => {
    assert.notEqual(canonicalUrl('https://example.org/a'), canonicalUrl('https://example.org/b'));
    assert.notEqual(canonicalUrl('https://example.org/p?id=1'), canonicalUrl('https://example.org/p?id=2'));
    assert.equal(canonicalUrl('https://example.org/p?a=1&b=2'), canonicalUrl('https://example.org/p?b=2&a=1'));
  });

  it('when a URL is not http(s) or does not parse, then it is its own key', () => {
    assert.equal(canonicalUrl('file:///corpus/a.md'), 'file:///corpus/a.md');
    assert.equal(canonicalUrl('not a url'), 'not a url');
  });
});
