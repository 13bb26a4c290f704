import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReport } from '../../../scripts/checks/report.ts';

function captured() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    report: createReport(
      'check-x',
      (l) => out.push(l),
      (l) => err.push(l),
    ),
  };
}

describe('the report every check prints', () => {
  it('when every check passes or is skipped, then the closing line says so and the exit code is 0', () => {
    const { out, report } = captured();
    report.expect([], 'compose');
    report.skip('docker compose config (no compose plugin)');
    assert.equal(report.finish(), 0);
    assert.deepEqual(out, ['  ok    compose', '  skip  docker compose config (no compose plugin)', '\ncheck-x: all checks passed (1 skipped)']);
  });

  it('when a check finds problems, then each is printed under its FAIL line and the exit code is 1', () => {
    const { out, err, report } = captured();
    report.expect(['first\nsecond line', 'third'], 'rules');
    assert.equal(report.failures(), 1);
    assert.equal(report.finish(), 1);
    assert.deepEqual(err, ['  FAIL  rules', '        first', '        second line', '        third']);
    assert.equal(out.at(-1), '\ncheck-x: 1 check(s) failed, 0 skipped');
  });
});
