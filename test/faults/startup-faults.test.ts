import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  BASE_URLS,
  cleanupBroker,
  cleanupRedis,
  createDatabase,
  databaseUrl,
  dropDatabase,
  pollUntil,
  startTcpProxy,
  testEnv,
  testId,
} from '@pressroom/test-support';
import { freePort, spawnService } from '../support/services.ts';

const root = join(import.meta.dirname, '..', '..');
const PASSWORD = 'not-for-logs-7f3a';

/** A port nobody listens on: a dependency that is not running. */
const closedPort = freePort;

async function occupy(port: number): Promise<Server> {
  const server = createServer().listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/**
 * A server that speaks just enough of Redis's protocol (RESP) for a client to connect and read INFO, says it is
 * `version`, and refuses PEXPIRE with NX as Redis 6 does: an old Redis, which this machine does not have. Every
 * other command gets +OK.
 */
async function redisStub(version: string): Promise<Server> {
  const info = `# Server\r\nredis_version:${version}\r\nloading:0\r\n`;
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let command = takeCommand(); command; command = takeCommand()) {
        const name = command[0]?.toLowerCase();
        if (name === 'info') socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
        else if (name === 'pexpire' && command.length > 3) socket.write("-ERR wrong number of arguments for 'pexpire' command\r\n");
        else socket.write(name === 'ping' ? '+PONG\r\n' : '+OK\r\n');
      }
    });
    // One command (`*<n>` then n `$<len>` strings) off the front of `pending`, or undefined until it is all here.
    function takeCommand(): string[] | undefined {
      const text = pending.toString('latin1');
      const head = /^\*(\d+)\r\n/.exec(text);
      if (!head) return undefined;
      let at = head[0].length;
      const args: string[] = [];
      for (let i = 0; i < Number(head[1]); i++) {
        const len = /^\$(\d+)\r\n/.exec(text.slice(at));
        if (!len || text.length < at + len[0].length + Number(len[1]) + 2) return undefined;
        at += len[0].length;
        args.push(text.slice(at, at + Number(len[1])));
        at += Number(len[1]) + 2;
      }
      pending = pending.subarray(at);
      return args;
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const readyz = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
};

/**
 * Start-up faults (issue 10): a dependency that is missing at start is waited for, with a line saying so and
 * /readyz 503, until STARTUP_WAIT_S; then the service exits 1 with one line naming itself, the dependency's URL
 * without its password, and how to start it. A port in use names its setting. Every case runs its own process.
 */
describe('start-up faults', { concurrency: 3 }, () => {
  const id = testId('startfault');
  let env: Record<string, string>;

  before(async () => {
    await createDatabase(id);
    env = testEnv(id, { LOG_LEVEL: 'info', STARTUP_WAIT_S: '2' });
  });

  after(async () => {
    await cleanupBroker(id);
    await cleanupRedis(id);
    await dropDatabase(id);
  });

  const cases = [
    {
      service: 'research',
      portSetting: 'RESEARCH_PORT',
      dependency: 'RabbitMQ',
      setting: 'RABBITMQ_URL',
      url: (port: number) => `amqp://guest:${PASSWORD}@127.0.0.1:${port}`,
    },
    {
      service: 'gateway',
      portSetting: 'GATEWAY_PORT',
      dependency: 'PostgreSQL',
      setting: 'DATABASE_URL',
      url: (port: number) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/pressroom`,
    },
    { service: 'llm', portSetting: 'LLM_PORT', dependency: 'Redis', setting: 'REDIS_URL', url: (port: number) => `redis://:${PASSWORD}@127.0.0.1:${port}` },
  ] as const;

  for (const c of cases) {
    it(`when ${c.dependency} is unreachable at start, then ${c.service} says it waits for it, is not ready, and after STARTUP_WAIT_S exits 1 with one line naming it, its URL without the password and how to start it`, async () => {
      const depPort = await closedPort();
      const opsPort = await freePort();
      // The gateway's readiness is on GATEWAY_OPS_PORT, beside its API port; a worker's on its one port.
      const gatewayPorts =
        c.service === 'gateway' ? { GATEWAY_OPS_PORT: String(opsPort), GATEWAY_PORT: String(await freePort()) } : { [c.portSetting]: String(opsPort) };
      const proc = spawnService(c.service, { ...env, [c.setting]: c.url(depPort), ...gatewayPorts });
      const shownUrl = c.url(depPort).replace(`:${PASSWORD}@`, '@').replace('redis://@', 'redis://');

      const waiting = await proc.line(new RegExp(`"msg":"waiting for ${c.dependency} at `));
      assert.ok(waiting.includes(`waiting for ${c.dependency} at ${shownUrl}`), waiting);
      const ready = await readyz(opsPort);
      assert.equal(ready.status, 503);
      assert.equal(ready.body.checks['startup'], 'failed');
      if ('GATEWAY_PORT' in gatewayPorts) {
        // Meanwhile the API port answers a retryable 503 with the headers of every answer.
        const res = await fetch(`http://127.0.0.1:${gatewayPorts.GATEWAY_PORT}/v1/me`, { headers: { 'x-request-id': 'starting-check-1' } });
        assert.equal(res.status, 503);
        assert.equal(res.headers.get('retry-after'), '5');
        assert.equal(res.headers.get('x-request-id'), 'starting-check-1');
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(res.headers.get('cache-control'), 'no-store');
        assert.equal(((await res.json()) as { code: string }).code, 'unavailable');
      }

      const { code } = await proc.exited;
      assert.equal(code, 1, proc.output.join(''));
      const lines = proc.stderr.join('').trim().split('\n');
      assert.equal(lines.length, 1, `one line, no stack:\n${lines.join('\n')}`);
      assert.match(
        lines[0]!,
        new RegExp(
          `^${c.service}: cannot start: ${c.dependency} at \\S+ did not answer within 2 s \\(.*ECONNREFUSED.*\\); start it \\(.+\\), or set ${c.setting} to where it runs$`,
        ),
      );
      assert.ok(lines[0]!.includes(` at ${shownUrl} `), lines[0]);
      assert.ok(!proc.output.join('').includes(PASSWORD), 'the password is in no log line');
    });
  }

  it('when RabbitMQ appears while a worker waits for it, then the worker becomes ready without a restart', async () => {
    const brokerPort = await closedPort();
    const opsPort = await freePort();
    const proc = spawnService('publisher', {
      ...env,
      STARTUP_WAIT_S: '60',
      RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${brokerPort}`,
      PUBLISHER_PORT: String(opsPort),
    });
    const target = new URL(BASE_URLS.rabbitmq);
    let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
    try {
      await proc.line(/"msg":"waiting for RabbitMQ at /);
      assert.equal((await readyz(opsPort)).status, 503);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5672) }, brokerPort);
      await pollUntil('the publisher to become ready', async () => ((await readyz(opsPort)).status === 200 ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      await proc.line(/"msg":"RabbitMQ at amqp:\/\/guest@127\.0\.0\.1:\d+ answers"/);
    } finally {
      proc.child.kill('SIGTERM');
      assert.equal((await proc.exited).code, 0, proc.output.join(''));
      await proxy?.close();
    }
  });

  it('when REDIS_URL points at a Redis older than 7.0, then the service exits 1 at once naming the version it found and what it refused', async () => {
    const old = await redisStub('6.2.14');
    try {
      const url = `redis://127.0.0.1:${(old.address() as { port: number }).port}`;
      // STARTUP_WAIT_S is long: an old server is not worth waiting for, so the exit must not wait it out.
      const started = Date.now();
      const proc = spawnService('llm', { ...env, STARTUP_WAIT_S: '60', REDIS_URL: url, LLM_PORT: String(await freePort()) });
      const { code } = await proc.exited;
      assert.equal(code, 1, proc.output.join(''));
      assert.ok(Date.now() - started < 30_000, 'did not wait for STARTUP_WAIT_S');
      assert.equal(
        proc.stderr.join('').trim(),
        `llm: cannot start: Redis at ${url} is Redis 6.2.14 and refuses PEXPIRE … NX (ERR wrong number of arguments for 'pexpire' command); Pressroom needs Redis 7.0 or newer: upgrade it, or set REDIS_URL to one that is`,
      );
    } finally {
      old.close();
    }
  });

  for (const c of [
    { service: 'gateway', setting: 'GATEWAY_PORT' },
    { service: 'publisher', setting: 'PUBLISHER_PORT' },
  ] as const) {
    it(`when ${c.setting} is already in use, then ${c.service} names the setting and exits non-zero`, async () => {
      const port = await freePort();
      const holder = await occupy(port);
      try {
        const proc = spawnService(c.service, { ...env, GATEWAY_OPS_PORT: String(await freePort()), [c.setting]: String(port) });
        const { code } = await proc.exited;
        assert.notEqual(code, 0);
        assert.equal(
          proc.stderr.join('').trim(),
          `${c.service}: cannot start: port ${port} is already in use; stop what holds it or set ${c.setting} to a free port`,
        );
      } finally {
        holder.close();
      }
    });
  }

  it('when GATEWAY_PORT is in use under `pnpm start`, then the gateway names it and the others are stopped by SIGTERM, none killed', async () => {
    const ports = {
      GATEWAY_PORT: await freePort(),
      GATEWAY_OPS_PORT: await freePort(),
      RESEARCH_PORT: await freePort(),
      LLM_PORT: await freePort(),
      PUBLISHER_PORT: await freePort(),
    };
    const holder = await occupy(ports.GATEWAY_PORT);
    // Production mode: scripts/start.ts then neither writes a .env into the repository nor reads one.
    const startEnv = {
      ...env,
      NODE_ENV: 'production',
      ALLOW_PRIVATE_TARGETS: 'false',
      DATABASE_URL: databaseUrl(id),
      STARTUP_WAIT_S: '30',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    };
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.ts')], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...startEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.resume();
    try {
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^gateway: cannot start: port \d+ is already in use; stop what holds it or set GATEWAY_PORT to a free port$/m);
      assert.match(stderr, /^gateway exited \(1\); stopping the others$/m);
      // 0 once a service has installed its handlers; SIGTERM if it was still loading its modules. Never SIGKILL.
      for (const name of ['research', 'llm', 'publisher']) assert.match(stderr, new RegExp(`^${name} stopped \\((0|SIGTERM)\\)$`, 'm'), stderr);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
      holder.close();
    }
  });
});
