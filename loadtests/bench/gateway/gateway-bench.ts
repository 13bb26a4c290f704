import { join } from 'node:path';
import { createUsers, getJson, postJson, registerAndLogin, submitRequest, type BenchUser } from '../support/api-client.ts';
import { connectBroker, purgeQueue, queueDepth } from '../support/broker-admin.ts';
import { startScript, type Child } from '../support/child-process.ts';
import { describeProbeDisk, findInfraGroups } from '../support/infra-processes.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { log, median, round, sleep } from '../support/stats.ts';
import { submitBody } from '../support/topics.ts';
import { autocannonRound, type OtherProcesses, type RoundResult } from './autocannon-round.ts';
import { gatewayCalls, userLimitedCall, type CallClass, type CallKind, type CallServer } from './gateway-calls.ts';

export interface GatewayCallSummary {
  kind: string;
  label: string;
  class: CallClass;
  expect: number;
  rounds: number;
  calls: number;
  /** Responses with the expected status per second, over all rounds. */
  rps: number;
  /** Median of the rounds' p50; the worst round's p99 (autocannon's histograms, ms). */
  p50: number;
  p99: number;
  /** The answering process's CPU over all rounds divided by all calls, ms. */
  cpuMsPerCall: number;
  /** Responses with another status: a row that has any did not measure what it says. */
  unexpected: Record<string, number>;
  errors: number;
  /** Longest wait after a round for the outbox relay to publish what the round accepted, s. */
  settleS: number;
  /** The disk under the rounds: the slowest fdatasync (NaN: none timed), and how many stalled (see disk-probe.ts). */
  disk: { maxMs: number; stalls: number; syncs: number };
  /** Submit and read rows: the shared servers' CPU per call over the same rounds, ms (PostgreSQL, RabbitMQ, Redis). */
  othersCpuMsPerCall: Record<string, number>;
  /** Why the row could not be measured. */
  error?: string;
}

export interface GatewayBenchResult {
  connections: number;
  users: number;
  rounds: number;
  roundS: number;
  warmupS: number;
  calls: GatewayCallSummary[];
  perRound: RoundResult[];
  /** Which disk the rows' disk figures are from (see disk-probe.ts). */
  diskProbe: string;
}

interface Target {
  call: CallKind;
  pid: number;
  baseUrl: string;
  settle?: (accepted: number) => Promise<void>;
  others?: OtherProcesses;
}

// With no workers, every accepted request stays queued: the load shedder (SHED_TASK_AGE_S) would start
// answering 503 two minutes in. At its maximum it still runs its check on every submit, it just never sheds.
const NO_SHEDDING = { SHED_TASK_AGE_S: '86400' };

export interface GatewayBenchOptions {
  connections: number;
  users: number;
  rounds: number;
  roundS: number;
  warmupS: number;
  settings: Record<string, string>;
  profileDir?: string | undefined;
}

/**
 * The gateway table. The real gateway (own process, no workers started, so nothing else competes; its outbox
 * relay publishes into research.tasks, which the bench empties after each round) against a bare express app
 * answering the same POST with a constant, each call kind in alternating rounds so that drift on the machine
 * hits all alike. The 429 rows need a limit of 1: each runs on its own gateway (own database, prefixes).
 */
export async function runGatewayBench(opts: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const perRound: RoundResult[] = [];
  const kinds: CallKind[] = [];
  const diskProbe = await describeProbeDisk();
  const failures = new Map<string, string>();
  const main = await startStack('benchgw', {
    services: ['gateway'],
    settings: { ...NO_SHEDDING, ...opts.settings },
    ...(opts.profileDir ? { nodeArgs: () => ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, '--cpu-prof-name=gateway.cpuprofile'] } : {}),
  });
  const conn = await connectBroker();
  let bare: Child | undefined;
  try {
    bare = await startScript('bare-express', join(import.meta.dirname, 'bare-express.ts'), { NODE_ENV: 'test' });
    const gateway = main.service('gateway');
    const settle = relaySettler(conn, `${main.prefix}research.tasks`);
    const users = await createUsers(main.gatewayUrl, opts.users, 'gw');
    const reads = await createReadTargets(main.gatewayUrl, users);
    await settle(reads.length);
    log(`gateway: running, ${users.length} accounts with ${reads.length} requests to read; warming up`);
    const calls = gatewayCalls({ users, reads });
    kinds.push(...calls);
    const pidOf: Partial<Record<CallServer, { pid: number; baseUrl: string }>> = {
      gateway: { pid: gateway.pid, baseUrl: main.gatewayUrl },
      express: { pid: bare.pid, baseUrl: `http://127.0.0.1:${bare.port}` },
    };
    // What a submit or a read costs the shared servers too: the whole cost of a call, and what it leaves for the gateway.
    const infra = await findInfraGroups({ database: main.database });
    for (const [family, why] of Object.entries(infra.missing)) log(`gateway: ${family} CPU not measured: ${why}`);
    const targets: Target[] = calls
      .filter((c) => pidOf[c.server])
      .map((call) => ({
        call,
        ...pidOf[call.server]!,
        ...(call.class === 'submit' ? { settle } : {}),
        ...(call.class === 'submit' || call.class === 'read' ? { others: infra } : {}),
      }));
    await measure(targets, opts, perRound);

    // A row that cannot be measured (the limit never refuses) is reported as such; the table goes on.
    const ipCall = calls.find((c) => c.server === 'ip-limited')!;
    await withLimitedGateway('benchrlip', { RATE_LIMIT_IP_PER_HOUR: '1' }, opts, failures, ipCall.kind, async (stack) => {
      await spendLimit(stack.gatewayUrl, undefined);
      await measure([{ call: ipCall, pid: stack.service('gateway').pid, baseUrl: stack.gatewayUrl }], opts, perRound);
    });
    const userCall = userLimitedCall(users[0]!);
    kinds.push(userCall);
    await withLimitedGateway('benchrlus', { RATE_LIMIT_USER_PER_HOUR: '1' }, opts, failures, userCall.kind, async (stack) => {
      const user = await registerAndLogin(stack.gatewayUrl, 'limited');
      await spendLimit(stack.gatewayUrl, user);
      await measure([{ call: userLimitedCall(user), pid: stack.service('gateway').pid, baseUrl: stack.gatewayUrl }], opts, perRound);
    });
  } finally {
    await bare?.stop();
    await conn.close().catch(() => undefined);
    await main.stop();
  }
  return {
    connections: opts.connections,
    users: opts.users,
    rounds: opts.rounds,
    roundS: opts.roundS,
    warmupS: opts.warmupS,
    calls: kinds.map((k) =>
      summarise(
        k,
        perRound.filter((r) => r.kind === k.kind),
        failures.get(k.kind),
      ),
    ),
    perRound,
    diskProbe,
  };
}

/** A warm-up of each target (JIT, pools, connections; not recorded), then `rounds` rounds in alternating order. */
async function measure(targets: Target[], opts: GatewayBenchOptions, perRound: RoundResult[]): Promise<void> {
  const run = (t: Target, durationS: number) =>
    autocannonRound({
      kind: t.call.kind,
      pid: t.pid,
      baseUrl: t.baseUrl,
      call: t.call.spec,
      expect: t.call.expect,
      connections: opts.connections,
      durationS,
      ...(t.settle ? { settle: t.settle } : {}),
      ...(t.others ? { others: t.others } : {}),
    });
  for (const t of targets) await run(t, opts.warmupS);
  for (let i = 0; i < opts.rounds; i++) {
    for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
      const r = await run(t, opts.roundS);
      perRound.push(r);
      const odd = Object.entries(r.statuses).filter(([s]) => s !== String(t.call.expect));
      log(
        `gateway: round ${i + 1} ${r.kind}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, CPU ${r.cpuMsPerCall} ms/call, disk fdatasync max ${r.disk.error ? `not timed (${r.disk.error})` : `${r.disk.maxMs} ms`}${r.settleS > 0.5 ? ` (relay caught up ${r.settleS} s later)` : ''}${odd.length ? `, unexpected ${JSON.stringify(Object.fromEntries(odd))}` : ''}`,
      );
    }
  }
}

/** The largest of the values that were measured; NaN when none was. */
function maxOf(values: number[]): number {
  const measured = values.filter(Number.isFinite);
  return measured.length > 0 ? Math.max(...measured) : NaN;
}

function summarise(call: CallKind, rounds: RoundResult[], error: string | undefined): GatewayCallSummary {
  const sum = (f: (r: RoundResult) => number) => rounds.reduce((a, r) => a + f(r), 0);
  const unexpected: Record<string, number> = {};
  for (const r of rounds) for (const [s, n] of Object.entries(r.statuses)) if (s !== String(call.expect)) unexpected[s] = (unexpected[s] ?? 0) + n;
  const calls = sum((r) => r.calls);
  return {
    kind: call.kind,
    label: call.label,
    class: call.class,
    expect: call.expect,
    rounds: rounds.length,
    calls,
    rps: round(sum((r) => r.expected) / (sum((r) => r.durationS) || 1), 1),
    p50: median(rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    cpuMsPerCall: calls > 0 ? round(sum((r) => r.cpuMs) / calls, 3) : NaN,
    unexpected,
    errors: sum((r) => r.errors),
    settleS: Math.max(0, ...rounds.map((r) => r.settleS)),
    disk: { maxMs: maxOf(rounds.map((r) => r.disk.maxMs)), stalls: sum((r) => r.disk.stalls), syncs: sum((r) => r.disk.syncs) },
    othersCpuMsPerCall: Object.fromEntries(
      [...new Set(rounds.flatMap((r) => Object.keys(r.othersCpuMs)))].map((f) => [f, calls > 0 ? round(sum((r) => r.othersCpuMs[f] ?? 0) / calls, 3) : NaN]),
    ),
    ...(error ? { error } : {}),
  };
}

/**
 * After a submit round: waits until research.tasks holds a task for every request the round accepted (the
 * relay has published them all, so its CPU falls inside the round's window), then empties the queue so
 * that no backlog builds up across rounds (nothing consumes it: the workers are not running).
 */
function relaySettler(conn: Awaited<ReturnType<typeof connectBroker>>, queue: string) {
  return async (accepted: number) => {
    const deadline = performance.now() + 60_000;
    let depth = await queueDepth(conn, queue);
    while (depth >= 0 && depth < accepted && performance.now() < deadline) {
      await sleep(50);
      depth = await queueDepth(conn, queue);
    }
    if (depth < accepted) log(`gateway: the relay published ${depth} of ${accepted} tasks within 60 s`);
    await purgeQueue(conn, queue);
  };
}

/** Two queued requests per user, for the GET /v1/requests/{id} row (each read by its owner). */
async function createReadTargets(baseUrl: string, users: BenchUser[]): Promise<Array<{ token: string; id: string }>> {
  const out: Array<{ token: string; id: string }> = [];
  for (const [i, u] of users.entries())
    for (let k = 0; k < 2; k++) {
      const res = await submitRequest(baseUrl, u.token, submitBody(i * 2 + k));
      if (!res.id) throw new Error(`setting up the read row: POST /v1/requests answered ${res.status}`);
      out.push({ token: u.token, id: res.id });
    }
  const check = await getJson(`${baseUrl}/v1/requests/${out[0]!.id}`, out[0]!.token);
  if (check.status !== 200) throw new Error(`setting up the read row: GET /v1/requests/{id} answered ${check.status}`);
  return out;
}

/** Calls until the limit answers 429 `rate_limited`, so that every call of the round is a refusal. */
async function spendLimit(baseUrl: string, user: BenchUser | undefined): Promise<void> {
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await postJson(`${baseUrl}/v1/requests`, submitBody(i), user?.token);
    seen.push(res.status);
    if (res.status === 429) {
      const code = (res.body as { code?: string } | undefined)?.code;
      if (code !== 'rate_limited') throw new Error(`the limited gateway answered 429 with code ${code}, not rate_limited`);
      return;
    }
  }
  throw new Error(
    `with ${user ? 'RATE_LIMIT_USER_PER_HOUR' : 'RATE_LIMIT_IP_PER_HOUR'}=1, ${seen.length} submissions in a row answered ${seen.join(', ')}: the limit never refused one`,
  );
}

async function withLimitedGateway(
  label: string,
  limit: Record<string, string>,
  opts: GatewayBenchOptions,
  failures: Map<string, string>,
  kind: string,
  work: (stack: Stack) => Promise<void>,
): Promise<void> {
  log(
    `gateway: a gateway with ${Object.entries(limit)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  const stack = await startStack(label, { services: ['gateway'], settings: { ...NO_SHEDDING, ...opts.settings, ...limit } });
  try {
    await work(stack);
  } catch (err) {
    failures.set(kind, err instanceof Error ? err.message : String(err));
    log(`gateway: ${kind} not measured: ${failures.get(kind)}`);
  } finally {
    await stack.stop();
  }
}
