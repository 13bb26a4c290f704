import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

// The disk probe's loop (see disk-probe.ts): blocking calls, so each timing is the disk's and nothing else's. The
// file is written in full and synced first, so that every timed sync overwrites allocated blocks, as PostgreSQL
// does in its recycled WAL segments (a growing file would sync its size too).
const { file, everyMs, stopFlag } = workerData as { file: string; everyMs: number; stopFlag: Int32Array };
const BLOCKS = 128;
const block = Buffer.alloc(8192, 0x2e);
const fd = openSync(file, 'w');
for (let i = 0; i < BLOCKS; i++) writeSync(fd, block, 0, block.length, i * block.length);
fdatasyncSync(fd);
// At least one timed sync, however soon the probe is stopped: a reading is never empty because the worker started late.
const latencies: number[] = [];
let i = 0;
do {
  writeSync(fd, block, 0, block.length, (i++ % BLOCKS) * block.length);
  const start = performance.now();
  fdatasyncSync(fd);
  latencies.push(performance.now() - start);
  Atomics.wait(stopFlag, 0, 0, everyMs);
} while (Atomics.load(stopFlag, 0) === 0);
closeSync(fd);
parentPort!.postMessage(latencies);
