import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayBenchResult, GatewayCallSummary } from '../../../loadtests/bench/gateway/gateway-bench.ts';
import { gatewayTable } from '../../../loadtests/bench/report/tables.ts';
import { gatewayChecks, verdict } from '../../../loadtests/bench/report/targets.ts';
import { startDiskProbe } from '../../../loadtests/bench/support/disk-probe.ts';

function call(over: Partial<GatewayCallSummary>): GatewayCallSummary {
  return {
    kind: 'submit-50',
    label: 'POST /v1/requests, 50 users',
    class: 'submit',
    expect: 202,
    rounds: 2,
    calls: 10_000,
    rps: 5_000,
    p50: 5,
    p99: 20,
    cpuMsPerCall: 0.5,
    unexpected: {},
    errors: 0,
    settleS: 0,
    disk: { maxMs: 2, stalls: 0, syncs: 800 },
    othersCpuMsPerCall: {},
    ...over,
  };
}

function bench(calls: GatewayCallSummary[]): GatewayBenchResult {
  const express = call({ kind: 'express', label: 'bare express', class: 'baseline', rps: 10_000, cpuMsPerCall: 0.05 });
  return { connections: 50, users: 50, rounds: 2, roundS: 8, warmupS: 3, calls: [express, ...calls], perRound: [], diskProbe: 'the disk of PostgreSQL' };
}

describe('the gateway table and the disk under it', () => {
  it('when a submit p99 fails while the disk stalled, then the verdict stays FAIL and names the stalls', () => {
    const c = call({ p99: 341, disk: { maxMs: 412.4, stalls: 3, syncs: 790 } });
    const checks = gatewayChecks(bench([c])).get(c.kind)!;
    const text = verdict(checks);
    assert.match(text, /^\*\*FAIL\*\*/);
    assert.match(text, /p99: the disk stalled in these rounds: 3 of 790 fdatasyncs over 100 ms, up to 412 ms/);
  });

  it('when a submit p99 fails with a quiet disk, then the verdict names the p99 alone', () => {
    const c = call({ p99: 341, disk: { maxMs: 40, stalls: 0, syncs: 790 } });
    assert.equal(verdict(gatewayChecks(bench([c])).get(c.kind)!), '**FAIL** (p99)');
  });

  it('when a read p99 fails, then no disk note is given: reads do not commit', () => {
    const c = call({ kind: 'read-me', class: 'read', p99: 300, disk: { maxMs: 400, stalls: 2, syncs: 790 } });
    assert.equal(verdict(gatewayChecks(bench([c])).get(c.kind)!), '**FAIL** (p99)');
  });

  it('when every target holds, then the row passes and the table shows the slowest sync', () => {
    const table = gatewayTable(bench([call({ disk: { maxMs: 7.6, stalls: 0, syncs: 800 } })]));
    const row = table.split('\n').find((l) => l.startsWith('| POST /v1/requests, 50 users'))!;
    assert.deepEqual(row.split(' | ').slice(1, 5), ['5000 (0.5× express)', '5', '20', '8']);
    assert.match(row, /\| PASS \|$/);
  });

  it("when submit rows carry the shared servers' CPU, then a second table sums every process and bounds the req/s", () => {
    const c = call({ cpuMsPerCall: 1, othersCpuMsPerCall: { PostgreSQL: 0.7, RabbitMQ: 0.1, Redis: 0.2 } });
    const table = gatewayTable(bench([c]));
    const row = table.split('\n').filter((l) => l.startsWith('| POST /v1/requests, 50 users'))[1]!;
    assert.deepEqual(row.split(' | ').slice(1), ['1', '0.7', '0.1', '0.2', '2', '1000 |']);
  });

  it('when the probe is stopped, however soon, then it has timed at least one sync, and its figures are ordered', async () => {
    const probe = await startDiskProbe(5);
    const reading = await probe.stop();
    assert.equal(reading.error, undefined);
    assert.ok(reading.syncs >= 1, `${reading.syncs} syncs`);
    assert.ok(reading.p50Ms >= 0 && reading.p50Ms <= reading.p99Ms && reading.p99Ms <= reading.maxMs, JSON.stringify(reading));
  });

  it('when the probe cannot write, then its reading is empty and says why, and nothing throws', async () => {
    const tmp = process.env['TMPDIR'];
    process.env['TMPDIR'] = '/nonexistent-pressroom-probe-dir';
    try {
      const reading = await (await startDiskProbe(5)).stop();
      assert.equal(reading.syncs, 0);
      assert.ok(Number.isNaN(reading.maxMs));
      assert.match(reading.error ?? '', /ENOENT/);
    } finally {
      if (tmp === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = tmp;
    }
  });
});
