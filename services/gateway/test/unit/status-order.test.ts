import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FINAL_REQUEST_STATUSES, REQUEST_STATUSES, STAGES, STATUS_RANK, STATUS_WHILE } from '@pressroom/contracts';
import { sqlCase, sqlList, sqlRows } from '../../src/db/sql-literals.ts';

describe('status order and the stage-to-status map, from libs/contracts', () => {
  it('when statuses are ranked, then in-flight ones follow the stages in order and every final status ranks last, equally', () => {
    const inFlight = ['queued', ...STAGES.map((s) => STATUS_WHILE[s])];
    assert.deepEqual(
      inFlight.map((s) => STATUS_RANK[s as keyof typeof STATUS_RANK]),
      [0, 1, 2, 3],
    );
    const finals = new Set(FINAL_REQUEST_STATUSES.map((s) => STATUS_RANK[s]));
    assert.deepEqual([...finals], [inFlight.length]);
    assert.deepEqual(Object.keys(STATUS_RANK).sort(), [...REQUEST_STATUSES].sort());
  });

  it('when SQL is built from the constants, then values are quoted literals and a quote cannot end one', () => {
    assert.equal(sqlList(['published', 'failed']), "('published', 'failed')");
    assert.equal(sqlCase('r.status', { queued: 0, writing: 2 }), "CASE r.status WHEN 'queued' THEN 0 WHEN 'writing' THEN 2 END");
    assert.equal(sqlCase('x', { "it's": 'a' }, 'b'), "CASE x WHEN 'it''s' THEN 'a' ELSE 'b' END");
    assert.equal(
      sqlRows([
        ['research', 1],
        ['write', 2],
      ]),
      "('research', 1), ('write', 2)",
    );
  });
});
