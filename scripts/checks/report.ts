// The output every check entry point shares: `ok`, `FAIL` with its details indented, `skip` (always said,
// never silent), and a closing line with the counts. finish() returns the exit code: 1 when anything failed.
export interface Report {
  section(title: string): void;
  ok(what: string): void;
  skip(what: string): void;
  fail(what: string, details?: string[]): void;
  /** ok when `problems` is empty, otherwise FAIL with each problem as a detail line. */
  expect(problems: string[], what: string): void;
  failures(): number;
  /** Prints the closing line; returns the process's exit code. */
  finish(): number;
}

export function createReport(
  name: string,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Report {
  let failed = 0;
  let skipped = 0;
  const report: Report = {
    section: (title) => out(`\n== ${title}`),
    ok: (what) => out(`  ok    ${what}`),
    skip: (what) => {
      skipped++;
      out(`  skip  ${what}`);
    },
    fail: (what, details = []) => {
      failed++;
      err(`  FAIL  ${what}`);
      for (const d of details) for (const line of d.split('\n')) err(`        ${line}`);
    },
    expect: (problems, what) => (problems.length === 0 ? report.ok(what) : report.fail(what, problems)),
    failures: () => failed,
    finish: () => {
      out(failed > 0 ? `\n${name}: ${failed} check(s) failed, ${skipped} skipped` : `\n${name}: all checks passed (${skipped} skipped)`);
      return failed > 0 ? 1 : 0;
    },
  };
  return report;
}
