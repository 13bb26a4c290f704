import { join } from 'node:path';
import { cleanupBroker, cleanupRedis, createDatabase, dropDatabase, testEnv, testId } from '@pressroom/test-support';
import { registerAndLogin, unlimitedSettings } from '../support/api-client.ts';
import { freePort, startScript, startService, type Child } from '../support/child-process.ts';
import { log, median, round } from '../support/stats.ts';
import { autocannonRound, type RoundResult } from './autocannon-round.ts';

export interface GatewayBenchResult {
  connections: number;
  rounds: number;
  roundS: number;
  /** All connections as one account: the issue's figure (and the per-user quota lock's). */
  gateway: Summary;
  /** The connections spread over `users` accounts, as many clients would be; absent when users is 1. */
  gatewayManyUsers?: Summary & { users: number };
  express: Summary;
  /** Gateway (one account) req/s as a share of the bare express app's. */
  ratio: number;
  ratioManyUsers?: number;
  perRound: RoundResult[];
}

interface Summary {
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpuPct: number;
}

const BODY = { topic: 'How do honeybees communicate?', tone: 'neutral', length: 'short' };

function summarise(rounds: RoundResult[]): Summary {
  return {
    rps: round(rounds.reduce((a, r) => a + r.rps, 0) / rounds.length, 1),
    p50: median(rounds.map((r) => r.p50)),
    p97_5: median(rounds.map((r) => r.p97_5)),
    p99: median(rounds.map((r) => r.p99)),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    cpuPct: median(rounds.map((r) => r.serverCpuPct)),
  };
}

/**
 * The real gateway (auth, session check, rate limits and quota set high, validation, request + outbox in one
 * transaction, the relay publishing to RabbitMQ) against bare express, each in its own process, driven by
 * autocannon from this one in alternating rounds so that drift on the machine hits both alike.
 */
export async function runGatewayBench(opts: { connections: number; rounds: number; roundS: number; users: number; settings?: Record<string, string>; profileDir?: string | undefined }): Promise<GatewayBenchResult> {
  const id = testId('benchgw');
  await createDatabase(id);
  const port = await freePort();
  const env = testEnv(id, { ...unlimitedSettings(), GATEWAY_PORT: String(port), ...opts.settings });
  const children: Child[] = [];
  try {
    const profile = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, '--cpu-prof-name=gateway.cpuprofile'] : [];
    const gateway = await startService('gateway', env, port, profile);
    children.push(gateway);
    const bare = await startScript('bare-express', join(import.meta.dirname, 'bare-express.ts'));
    children.push(bare);
    const users = await Promise.all(Array.from({ length: opts.users }, () => registerAndLogin(`http://127.0.0.1:${port}`)));
    const gatewayUrl = `http://127.0.0.1:${gateway.port}/v1/requests`;
    const targets = [
      { target: 'gateway', pid: gateway.pid, url: gatewayUrl, tokens: [users[0]!.token] },
      ...(opts.users > 1 ? [{ target: 'gateway-many-users', pid: gateway.pid, url: gatewayUrl, tokens: users.map((u) => u.token) }] : []),
      { target: 'express', pid: bare.pid, url: `http://127.0.0.1:${bare.port}/v1/requests`, tokens: [users[0]!.token] },
    ];
    const run = (t: (typeof targets)[number], durationS: number) => autocannonRound({ ...t, connections: opts.connections, durationS, body: BODY });
    log(`gateway: warming up ${targets.length} targets (3 s each)`);
    for (const t of targets) await run(t, 3);
    const perRound: RoundResult[] = [];
    for (let i = 0; i < opts.rounds; i++) {
      // Alternate which goes first, so neither always runs on the machine the other just heated.
      const order = i % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const r = await run(t, opts.roundS);
        perRound.push(r);
        log(`gateway: round ${i + 1} ${r.target}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${r.serverCpuPct} %${r.non2xx ? `, ${r.non2xx} non-2xx ${JSON.stringify(r.statuses)}` : ''}`);
      }
    }
    const g = summarise(perRound.filter((r) => r.target === 'gateway'));
    const e = summarise(perRound.filter((r) => r.target === 'express'));
    const result: GatewayBenchResult = { connections: opts.connections, rounds: opts.rounds, roundS: opts.roundS, gateway: g, express: e, ratio: round(g.rps / e.rps, 3), perRound };
    if (opts.users > 1) {
      const m = summarise(perRound.filter((r) => r.target === 'gateway-many-users'));
      result.gatewayManyUsers = { ...m, users: opts.users };
      result.ratioManyUsers = round(m.rps / e.rps, 3);
    }
    return result;
  } finally {
    const codes = await Promise.all(children.map((c) => c.stop()));
    if (codes[0] !== 0 && children[0]) log(`gateway exited ${codes[0]}:\n${children[0].tail()}`);
    // Every accepted request left a task in research.tasks that nothing consumes: delete the run's queues.
    await cleanupBroker(id);
    await cleanupRedis(id);
    await dropDatabase(id);
  }
}
