import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foldEvents, type StageEventInput } from '../../src/tracker/event-fold.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const event = (overrides: Partial<StageEventInput>): StageEventInput => ({
  request_id: A,
  stage: 'research',
  type: 'started',
  attempt: 1,
  at: t(0),
  ...overrides,
});
const busy = { code: 'upstream_503', message: 'busy' };

describe('folding a batch of stage events into one write per row', () => {
  it("when a batch holds events of a request's failed run and of its replay, then each run gets its own deltas", () => {
    const { stages, requests } = foldEvents([
      event({ type: 'failed', at: t(100), error: busy }),
      event({ type: 'completed', run: 1, at: t(300), duration_ms: 50 }),
    ]);
    assert.deepEqual(
      requests.map((r) => [r.run, r.terminal, r.entries.map((e) => e.event)]),
      [
        [0, 'failed', ['request.research.started', 'request.research.failed']],
        [1, null, ['request.research.started', 'request.research.completed']],
      ],
    );
    assert.deepEqual(
      stages.map((s) => [s.run, s.terminal]),
      [
        [0, 'failed'],
        [1, 'completed'],
      ],
    );
  });

  it('when a stage starts, retries and starts again in one batch, then one delta says running, attempt 2, first start, and the retry error', () => {
    const { stages, requests } = foldEvents([
      event({ stage: 'write', at: t(150) }),
      event({ stage: 'write', type: 'retrying', at: t(200), error: busy }),
      event({ stage: 'write', attempt: 2, at: t(260) }),
    ]);
    assert.deepEqual(stages, [
      { request_id: A, run: 0, stage: 'write', terminal: null, progress: 'running', attempts: 2, started_at: t(150), finished_at: null, error: busy },
    ]);
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.progress, 'writing');
  });

  it('when a stage completes and a late failure follows, then the first final state wins and the error is cleared', () => {
    const [stage] = foldEvents([event({ type: 'completed', at: t(100), duration_ms: 100 }), event({ type: 'failed', at: t(120), error: busy })]).stages;
    assert.equal(stage!.terminal, 'completed');
    assert.equal(stage!.finished_at, t(100));
    assert.equal(stage!.error, null);
  });

  it('when a quick stage sends no started event, then its start is inferred from the completion and the request still moves to that stage', () => {
    const { stages, requests } = foldEvents([event({ type: 'completed', at: t(500), duration_ms: 120 })]);
    assert.equal(stages[0]!.started_at, t(380));
    assert.equal(requests[0]!.progress, 'researching');
  });

  it('when events of an earlier stage arrive after a later one started, then the request progress stays at the furthest stage', () => {
    const [request] = foldEvents([event({ stage: 'write' }), event({ stage: 'research', type: 'completed', duration_ms: 5 })]).requests;
    assert.equal(request!.progress, 'writing');
    assert.equal(request!.progress_rank, 2);
  });

  it('when a request is published and a failure arrives after, then it stays published; a failure first fails it with the stage error', () => {
    const published = foldEvents([
      event({ stage: 'publish', type: 'completed', result: { published_url: 'file:///x.md' } }),
      event({ stage: 'publish', type: 'failed', error: busy }),
    ]).requests[0]!;
    assert.equal(published.terminal, 'published');
    assert.equal(published.published_url, 'file:///x.md');
    assert.equal(published.error, null);
    const failed = foldEvents([event({ type: 'failed', error: busy }), event({ stage: 'publish', type: 'completed' })]).requests[0]!;
    assert.equal(failed.terminal, 'failed');
    assert.deepEqual(failed.error, { stage: 'research', ...busy });
  });

  it('when a batch mixes requests, then there is one delta per request and per stage, in request order, and the first article is kept', () => {
    const article = (title: string) => ({ title, summary: 's', body_markdown: 'b', sources: [] });
    const { stages, requests } = foldEvents([
      event({ request_id: B, stage: 'write', type: 'completed', result: { article: article('first') } }),
      event({ request_id: A }),
      event({ request_id: B, stage: 'write', type: 'completed', result: { article: article('again') } }),
      event({ request_id: A, type: 'completed' }),
    ]);
    assert.deepEqual(
      stages.map((s) => [s.request_id, s.stage]),
      [
        [A, 'research'],
        [B, 'write'],
      ],
    );
    assert.deepEqual(
      requests.map((r) => r.request_id),
      [A, B],
    );
    assert.equal(requests[1]!.article?.title, 'first');
  });

  it('when a stage completes without a started event, then its timeline gets an inferred started first, and a repeat of an event adds no entry', () => {
    const { requests } = foldEvents([
      event({ type: 'completed', at: t(100), duration_ms: 100 }),
      event({ type: 'completed', at: t(100), duration_ms: 100 }),
      event({ stage: 'write', type: 'started', at: t(150) }),
    ]);
    const entries = requests[0]!.entries;
    assert.deepEqual(
      entries.map((e) => [e.key, e.event, e.ord]),
      [
        ['research.started.1', 'request.research.started', 1],
        ['research.completed.1', 'request.research.completed', 2],
        ['write.started.1', 'request.write.started', 3],
      ],
    );
    assert.equal(entries[0]!.data.synthesised, true);
    assert.equal(entries[0]!.data.at, t(0), "the completion's time less its duration");
    assert.equal(requests[0]!.entry_count, 3);
  });

  it('when a stage is cancelled at its boundary, then it ends cancelled without a start, and the request ends cancelled', () => {
    const { stages, requests } = foldEvents([event({ stage: 'write', type: 'cancelled', at: t(10) })]);
    assert.deepEqual([stages[0]!.terminal, stages[0]!.started_at, stages[0]!.finished_at], ['cancelled', null, t(10)]);
    assert.equal(requests[0]!.terminal, 'cancelled');
    assert.deepEqual(
      requests[0]!.entries.map((e) => e.event),
      ['request.write.cancelled'],
      'no started for a stage that never ran',
    );
  });

  it('when a running stage is abandoned for a cancel, then its start is inferred from the duration', () => {
    const { stages, requests } = foldEvents([event({ stage: 'write', type: 'cancelled', at: t(500), duration_ms: 400 })]);
    assert.equal(stages[0]!.started_at, t(100));
    assert.deepEqual(
      requests[0]!.entries.map((e) => e.event),
      ['request.write.started', 'request.write.cancelled'],
    );
  });
});
