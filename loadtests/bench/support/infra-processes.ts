import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { BASE_URLS } from '@pressroom/test-support';
import type { ProcessGroup } from './cpu-meter.ts';
import { childPids, descendantPids, parentPid, processExists, processTitle } from './proc-stats.ts';

const run = promisify(execFile);

/** The shared services' processes, or why one cannot be measured (remote host, another pid namespace). */
export interface InfraGroups {
  groups: ProcessGroup[];
  /** Group names that sum to one figure in the tables (PostgreSQL is counted as backends + shared processes). */
  families: Record<string, string[]>;
  missing: Record<string, string>;
}

const isLocal = (url: string) => ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(url).hostname);

/**
 * PostgreSQL: the postmaster (parent of our own backend), its children that serve this run's database
 * (client backends and autovacuum workers carry the database name in their process title, parallel workers
 * name their leader's pid), and the cluster's shared processes (checkpointer, background writer, WAL writer,
 * launchers): those also work for any other database on the cluster, so they are kept apart in the JSON.
 * `exclude()` names the bench's own connections, left out of both.
 */
async function postgresGroups(database: string, exclude: () => number[]): Promise<ProcessGroup[]> {
  const client = new pg.Client({ connectionString: BASE_URLS.postgres });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  // Read while this backend still exists: its parent is the postmaster.
  const postmaster = await parentPid(rows[0]!.pid);
  await client.end();
  if (!postmaster || !(await processTitle(postmaster)).includes('postgres')) throw new Error('the postmaster is not visible in /proc');
  const titles = new Map<number, string>();
  const ownDb = new RegExp(`(^|\\s)${database}(\\s|$)`);
  async function classify(): Promise<{ backends: number[]; shared: number[] }> {
    const children = await childPids(postmaster!);
    const skip = new Set(exclude());
    const backends: number[] = [];
    const shared: number[] = [postmaster!];
    const parallel: Array<[number, number]> = [];
    for (const pid of children) {
      if (skip.has(pid)) continue;
      // A backend's title changes with its activity (idle, SELECT, …), but never its database.
      let title = titles.get(pid);
      if (!title || !ownDb.test(title)) titles.set(pid, (title = await processTitle(pid)));
      const leader = /parallel worker for PID (\d+)/.exec(title)?.[1];
      if (leader) parallel.push([pid, Number(leader)]);
      else if (ownDb.test(title)) backends.push(pid);
      else if (!/\(\d+\)|\[local\]|autovacuum worker|walsender|parallel worker/.test(title)) shared.push(pid);
    }
    for (const [pid, leader] of parallel) if (backends.includes(leader)) backends.push(pid);
    for (const pid of titles.keys()) if (!children.includes(pid)) titles.delete(pid);
    return { backends, shared };
  }
  // Both groups are asked at every sample: one look at /proc serves the two.
  let last: { at: number; result: Promise<{ backends: number[]; shared: number[] }> } | undefined;
  const current = () => {
    if (!last || performance.now() - last.at > 100) last = { at: performance.now(), result: classify() };
    return last.result;
  };
  return [
    { name: 'postgres-backends', members: async () => (await current()).backends },
    { name: 'postgres-shared', members: async () => (await current()).shared },
  ];
}

/** RabbitMQ: the Erlang VM (which names its own OS pid) and its helpers (erl_child_setup, inet_gethost, …). */
async function rabbitmqGroup(): Promise<ProcessGroup> {
  const { stdout } = await run('rabbitmqctl', ['eval', 'os:getpid().'], { timeout: 15_000 });
  const pid = Number(stdout.trim().replace(/"/g, ''));
  if (!pid || !(await processExists(pid))) throw new Error(`rabbitmqctl names pid ${stdout.trim()}, which is not visible in /proc`);
  return { name: 'rabbitmq', members: async () => [pid, ...(await descendantPids(pid))] };
}

/** Redis: `INFO server` names the process; one process (its I/O and background threads are in its ticks). */
async function redisGroup(): Promise<ProcessGroup> {
  const u = new URL(BASE_URLS.redis);
  const info = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(u.port || 6379), u.hostname);
    let text = '';
    socket.setTimeout(3000, () => socket.destroy(new Error('redis INFO timed out')));
    socket.on('data', (d) => {
      text += d.toString();
      if (/process_id:\d+\r\n/.test(text)) socket.end();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write('*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n');
  });
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  if (!pid || !(await processExists(pid))) throw new Error(`redis names pid ${pid}, which is not visible in /proc`);
  return { name: 'redis', members: async () => [pid] };
}

export async function findInfraGroups(opts: { database: string; exclude?: () => number[] }): Promise<InfraGroups> {
  const out: InfraGroups = { groups: [], families: {}, missing: {} };
  const tries: Array<[string, string, () => Promise<ProcessGroup[]>]> = [
    ['PostgreSQL', BASE_URLS.postgres, () => postgresGroups(opts.database, opts.exclude ?? (() => []))],
    ['RabbitMQ', BASE_URLS.rabbitmq, async () => [await rabbitmqGroup()]],
    ['Redis', BASE_URLS.redis, async () => [await redisGroup()]],
  ];
  for (const [family, url, find] of tries) {
    if (!isLocal(url)) {
      out.missing[family] = `${new URL(url).hostname} is not this machine`;
      continue;
    }
    try {
      const groups = await find();
      out.groups.push(...groups);
      out.families[family] = groups.map((g) => g.name);
    } catch (err) {
      out.missing[family] = err instanceof Error ? err.message : String(err);
    }
  }
  return out;
}

/**
 * Where the disk probe's figures stand (support/disk-probe.ts, which writes in `os.tmpdir()`): on the disk of
 * PostgreSQL's WAL, or not, or unknown. A sentence for the gateway table's caption.
 */
export async function describeProbeDisk(): Promise<string> {
  if (!isLocal(BASE_URLS.postgres)) return "the probe's folder is on this machine, PostgreSQL is not: the column shows this machine's disk";
  const client = new pg.Client({ connectionString: BASE_URLS.postgres, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    const wal = join(rows[0]!.data_directory, 'pg_wal');
    return statSync(wal).dev === statSync(tmpdir()).dev
      ? `the probe's folder is on the disk of PostgreSQL's WAL (${wal})`
      : `the probe's folder is not on the disk of PostgreSQL's WAL (${wal}): the column shows another disk than the commits'`;
  } catch (err) {
    return `whether the probe's folder shares a disk with PostgreSQL's WAL is unknown (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
