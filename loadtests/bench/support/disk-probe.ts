import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { BASE_URLS } from '@pressroom/test-support';
import { distribution } from './stats.ts';

/** What the disk did while a round ran: one 8 kB write + fdatasync every `everyMs`, each one timed. */
export interface DiskSyncReading {
  syncs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Syncs that took longer than 100 ms: each one holds every commit of PostgreSQL behind it. */
  over100Ms: number;
}

/** A commit of PostgreSQL is a WAL write and an fdatasync; a stalled disk stalls every submit at once. */
export const STALL_MS = 100;

const WORKER = join(import.meta.dirname, 'disk-probe-worker.ts');

/**
 * Times fdatasync on the disk beside a measurement, in a worker thread with blocking calls so that the bench's
 * own event loop (busy with autocannon) cannot add to the figures. Small next to what is measured: at 20 ms,
 * 50 syncs a second against the gateway's ~1,000 commits. `stop` ends the probe and returns its reading.
 */
export async function startDiskProbe(everyMs = 20): Promise<{ stop(): Promise<DiskSyncReading> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pressroom-disk-probe-'));
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, { workerData: { file: join(dir, 'probe'), everyMs, stopFlag } });
  const done = new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      Atomics.store(stopFlag, 0, 1);
      Atomics.notify(stopFlag, 0);
      const latencies = await done.finally(() => rm(dir, { recursive: true, force: true }));
      const d = distribution(latencies);
      return { syncs: d.count, p50Ms: d.p50, p99Ms: d.p99, maxMs: d.max, over100Ms: latencies.filter((ms) => ms > STALL_MS).length };
    },
  };
}

/** Says whether the probe's disk is the one under PostgreSQL's data directory, which is what its figures stand for. */
export async function describeProbeDisk(): Promise<string> {
  const client = new pg.Client({ connectionString: BASE_URLS.postgres });
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    const dir = rows[0]!.data_directory;
    return statSync(dir).dev === statSync(tmpdir()).dev
      ? `the disk of PostgreSQL's data directory (${dir})`
      : `not the disk of PostgreSQL's data directory (${dir}): read it as the machine's, not the commits'`;
  } catch (err) {
    return `PostgreSQL's data directory could not be compared (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
