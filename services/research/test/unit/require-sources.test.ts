import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskError, type Source } from '@pressroom/contracts';
import { parseTopic } from '@pressroom/text';
import type { BuiltSources } from '../../src/sources/build-sources.ts';
import { requireEnoughSources, type SourceShortfall } from '../../src/sources/require-sources.ts';

const source = (n: number): Source => ({ title: `S${n}`, url: `https://s${n}.test/`, snippet: '', text: 'text' });
const built = (overrides: Partial<BuiltSources> = {}): BuiltSources => ({ sources: [], dropped: {}, transientDrops: 0, offered: 5, ...overrides });
const check = (overrides: Partial<SourceShortfall>) => () =>
  requireEnoughSources({
    topic: parseTopic('Tracing distributed systems'),
    provider: 'brave',
    built: built(),
    offTopic: 0,
    limit: 5,
    minSources: 2,
    ...overrides,
  });

function failure(fn: () => void): TaskError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TaskError);
    return err;
  }
  throw new Error('expected no_sources');
}

describe('requireEnoughSources', () => {
  it('when MIN_SOURCES relevant sources were found, then the stage goes on', () => {
    assert.doesNotThrow(check({ built: built({ sources: [source(1), source(2)] }) }));
  });

  it('when the search offered fewer pages than MIN_SOURCES, then as many as it offered are enough', () => {
    assert.doesNotThrow(check({ built: built({ sources: [source(1)], offered: 1 }) }));
  });

  it('when too few sources remain, then it fails permanently with no_sources naming the topic, the drops by reason and the rule', () => {
    const err = failure(check({ built: built({ sources: [source(1)], dropped: { off_topic: 3, unsupported_content_type: 1 } }) }));
    assert.equal(err.code, 'no_sources');
    assert.equal(err.transient, false);
    assert.equal(
      err.message,
      'found 1 relevant source for "Tracing distributed systems" in the brave search, at least 2 needed; dropped 4: 3 off_topic, 1 unsupported_content_type; a source must hold 2 of "tracing", "distributed", "systems" together in one sentence read with its title',
    );
  });

  it('when the local corpus dropped every candidate as off-topic, then those are counted and one source is the least needed', () => {
    const err = failure(check({ provider: 'local', built: built({ offered: 0 }), offTopic: 14, minSources: 1 }));
    assert.match(err.message, /^found 0 relevant sources for "Tracing distributed systems" in the local search, at least 1 needed; dropped 14: 14 off_topic;/);
  });

  it('when pages that failed for a passing reason could make up the shortfall, then the failure is transient', () => {
    const err = failure(check({ built: built({ sources: [source(1)], dropped: { upstream_timeout: 1 }, transientDrops: 1 }) }));
    assert.equal(err.code, 'no_sources');
    assert.equal(err.transient, true);
  });

  it('when the topic has no content words, then the message says so', () => {
    assert.match(failure(check({ topic: parseTopic('what is this?'), built: built({ dropped: { off_topic: 2 } }) })).message, /the topic has no content words/);
  });
});
