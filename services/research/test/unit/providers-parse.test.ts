import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError } from '@pressroom/contracts';
import { parseBraveResponse } from '../../src/providers/brave-provider.ts';
import { parseGoogleResponse } from '../../src/providers/google-provider.ts';
import { parseSearxngResponse } from '../../src/providers/searxng-provider.ts';
import { parseSerperResponse } from '../../src/providers/serper-provider.ts';

const badResponse = (err: unknown) => err instanceof TaskError && err.code === 'bad_provider_response' && !err.transient;

describe('parseGoogleResponse', () => {
  it('maps items to hits with link as url', () => {
    const body = {
      kind: 'customsearch#search',
      items: [{ title: 'Sourdough', link: 'https://a.test/s', snippet: 'A starter\nis flour and water.', htmlSnippet: '<b>x</b>' }],
    };
    assert.deepEqual(parseGoogleResponse(body), [{ title: 'Sourdough', url: 'https://a.test/s', snippet: 'A starter is flour and water.' }]);
  });
  it('when nothing matched (no items key), then it returns no hits', () => {
    assert.deepEqual(parseGoogleResponse({ kind: 'customsearch#search', searchInformation: { totalResults: '0' } }), []);
  });
  it('when items is not a list or the body is not an object, then it is a permanent bad_provider_response', () => {
    assert.throws(() => parseGoogleResponse({ items: 'nope' }), badResponse);
    assert.throws(() => parseGoogleResponse('<html>'), badResponse);
    assert.throws(() => parseGoogleResponse(null), badResponse);
  });
});

describe('parseSerperResponse', () => {
  it('maps organic results and skips entries without an http(s) link', () => {
    const body = {
      searchParameters: { q: 'x' },
      organic: [{ title: 'A', link: 'https://a.test/', snippet: 's', position: 1 }, { title: 'B', link: 'ftp://b.test/' }, { title: 'C' }, 'junk'],
    };
    assert.deepEqual(parseSerperResponse(body), [{ title: 'A', url: 'https://a.test/', snippet: 's' }]);
  });
  it('when organic is missing, then it is a permanent bad_provider_response', () => {
    assert.throws(() => parseSerperResponse({ message: 'Unauthorized' }), badResponse);
  });
});

describe('parseBraveResponse', () => {
  it('strips highlight tags and entities from titles and descriptions', () => {
    const body = {
      type: 'search',
      web: {
        results: [
          { title: 'Bread &amp; <strong>starter</strong>', url: 'https://b.test/', description: 'Feed the <strong>starter</strong> daily &#8212; twice.' },
        ],
      },
    };
    assert.deepEqual(parseBraveResponse(body), [{ title: 'Bread & starter', url: 'https://b.test/', snippet: 'Feed the starter daily — twice.' }]);
  });
  it('when there are no web results (no web key), then it returns no hits', () => {
    assert.deepEqual(parseBraveResponse({ type: 'search', query: { original: 'x' } }), []);
  });
  it('when web.results is not a list, then it is a permanent bad_provider_response', () => {
    assert.throws(() => parseBraveResponse({ web: { results: {} } }), badResponse);
  });
});

describe('parseSearxngResponse', () => {
  it('maps results with content as snippet and falls back to the url for a missing title', () => {
    const body = { query: 'x', results: [{ url: 'https://c.test/p', content: 'Plain text.', engine: 'ddg' }] };
    assert.deepEqual(parseSearxngResponse(body), [{ title: 'https://c.test/p', url: 'https://c.test/p', snippet: 'Plain text.' }]);
  });
  it('when results is missing, then it is a permanent bad_provider_response', () => {
    assert.throws(() => parseSearxngResponse({ error: 'x' }), badResponse);
    assert.throws(() => parseSearxngResponse([]), badResponse);
  });
  it('when nothing was found because its engines did not answer (a CAPTCHA, a rate limit), then it is a transient error naming them, not "no results"', () => {
    const blocked = {
      query: 'x',
      results: [],
      unresponsive_engines: [
        ['google', 'CAPTCHA'],
        ['duckduckgo', 'timeout'],
      ],
    };
    assert.throws(
      () => parseSearxngResponse(blocked),
      (err: unknown) =>
        err instanceof TaskError && err.transient && err.code === 'upstream_unreachable' && /2 of its engines.*google: CAPTCHA/.test(err.message),
    );
    assert.deepEqual(
      parseSearxngResponse({ query: 'x', results: [], unresponsive_engines: [] }),
      [],
      'an answer with every engine up is a real "nothing found"',
    );
    const some = { results: [{ url: 'https://c.test/p', title: 'P', content: 'c' }], unresponsive_engines: [['google', 'CAPTCHA']] };
    assert.equal(parseSearxngResponse(some).length, 1, 'hits from the engines that answered are used');
  });
});
