import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { distribution } from './stats.ts';

/** What the disk did while a measurement ran: one 8 kB overwrite + fdatasync at a time, each one timed. */
export interface DiskSyncReading {
  syncs: number;
  p50Ms: number;
  p99Ms: number;
  /** NaN when there was no sync to time. */
  maxMs: number;
  /** Syncs slower than STALL_MS: each one holds every commit of PostgreSQL behind it. */
  stalls: number;
  /** Why the probe could not time the disk (its reading is then empty); the measurement beside it stands. */
  error?: string;
}

/** A commit of PostgreSQL is a WAL write and an fdatasync; a sync slower than this stalls every submit at once. */
export const STALL_MS = 100;

const WORKER = join(import.meta.dirname, 'disk-probe-worker.ts');

/**
 * Times fdatasync on the disk beside a measurement, in a worker thread with blocking calls so that the bench's
 * own event loop (busy with autocannon) cannot add to the figures; a pause of `everyMs` between syncs (50 a
 * second, against the gateway's ~1,000 commits). A diagnostic only: a probe that fails (a full disk, an I/O
 * error) gives an empty reading that says why, and never fails the measurement. `stop` stops it at once; its
 * promise gives the reading once the sync in flight has returned.
 */
export async function startDiskProbe(everyMs = 20): Promise<{ stop(): Promise<DiskSyncReading> }> {
  let dir: string;
  try {
    dir = await mkdtemp(join(tmpdir(), 'pressroom-disk-probe-'));
  } catch (err) {
    return { stop: async () => ({ ...reading([]), error: (err as Error).message }) };
  }
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, { workerData: { file: join(dir, 'probe'), everyMs, stopFlag } });
  // Settled by the first of these; a handler from the start, so a failing worker is never an unhandled rejection.
  const done = new Promise<number[] | Error>((resolve) => {
    worker.once('message', (latencies: number[]) => resolve(latencies));
    worker.once('error', (err) => resolve(err));
    worker.once('exit', (code) => resolve(new Error(`the probe exited (${code}) without a reading`)));
  });
  return {
    async stop() {
      Atomics.store(stopFlag, 0, 1);
      Atomics.notify(stopFlag, 0);
      const result = await done;
      await rm(dir, { recursive: true, force: true });
      return result instanceof Error ? { ...reading([]), error: result.message } : reading(result);
    },
  };
}

function reading(latencies: number[]): DiskSyncReading {
  const d = distribution(latencies);
  return { syncs: d.count, p50Ms: d.p50, p99Ms: d.p99, maxMs: d.max, stalls: latencies.filter((ms) => ms > STALL_MS).length };
}
