import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

// The disk probe's loop (see disk-probe.ts): blocking calls, so each timing is the disk's and nothing else's.
const { file, everyMs, stopFlag } = workerData as { file: string; everyMs: number; stopFlag: Int32Array };
const fd = openSync(file, 'w');
const block = Buffer.alloc(8192, 0x2e);
const latencies: number[] = [];
for (let i = 0; Atomics.load(stopFlag, 0) === 0; i++) {
  writeSync(fd, block, 0, block.length, (i % 128) * block.length);
  const start = performance.now();
  fdatasyncSync(fd);
  latencies.push(performance.now() - start);
  Atomics.wait(stopFlag, 0, 0, everyMs);
}
closeSync(fd);
parentPort!.postMessage(latencies);
