import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishEvent } from '@pressroom/messaging';
import { freePort, pollUntil, startHttpStub } from '@pressroom/test-support';
import { startTestGateway } from '../../services/gateway/test/support/gateway-harness.ts';

const root = join(import.meta.dirname, '..', '..');
const CLI = join(root, 'scripts', 'cli.ts');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would, with no `.env` and only the environment given; `onStdout` sees output as it comes. */
function runCli(
  args: string[],
  env: Record<string, string> = {},
  opts: { command?: string[]; cwd?: string; onStdout?: (soFar: string) => void } = {},
): Promise<CliRun> {
  const [file, ...pre] = opts.command ?? [process.execPath, CLI];
  const child = spawn(file!, [...pre, ...args], {
    cwd: opts.cwd ?? root,
    env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    opts.onStdout?.(stdout);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return once(child, 'exit').then(([code]) => {
    clearTimeout(timer);
    return { code: code as number | null, stdout, stderr };
  });
}

const NO_STACK = /^\s+at /m;

describe('pressroom CLI: usage (no services needed)', () => {
  it('when run with --help, then it prints every command and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: pressroom <command>/);
    for (const command of ['submit <topic>', 'status <request-id>', 'list']) assert.ok(r.stdout.includes(command), `lists ${command}`);
    assert.equal(r.stderr, '');
  });

  it('when run with no command, then it prints the same usage', async () => {
    const r = await runCli([]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: pressroom <command>/);
  });

  for (const [command, option] of [
    ['submit', '--tone TONE'],
    ['status', '--json'],
    ['list', '--status STATUS'],
  ] as const) {
    it(`when run as "${command} --help", then it prints that command's options and exits 0`, async () => {
      const r = await runCli([command, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: pressroom ${command}`));
      assert.ok(r.stdout.includes(option), r.stdout);
      assert.deepEqual((await runCli(['help', command])).stdout, r.stdout, '`help <command>` says the same');
    });
  }

  it('when given an unknown option, then it names it, prints the usage and exits 2', async () => {
    const r = await runCli(['submit', 'honeybees', '--colour', 'red']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pressroom: Unknown option '--colour'/);
    assert.match(r.stderr, /usage: pressroom submit <topic>/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  it('when given an unknown command or a leading unknown option, then it prints the usage and exits 2', async () => {
    for (const args of [['publish-now'], ['--verbose', 'list']]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /usage: pressroom <command>/);
    }
  });

  it('when an argument or a value is wrong, then it exits 2 before sending anything', async () => {
    // A closed port: a request sent there would fail with exit 1, not 2.
    const env = { PRESSROOM_URL: `http://127.0.0.1:${await freePort()}`, PRESSROOM_TOKEN: 'prs_unused' };
    const cases: [string[], RegExp][] = [
      [['status'], /status takes one argument, <request-id>/],
      [['list', 'extra'], /list takes no arguments/],
      [['submit', 'bees', '--tone', 'loud'], /--tone must be one of neutral, formal, casual, persuasive, not "loud"/],
      [['list', '--limit', 'ten'], /--limit must be a positive whole number/],
      [['list', '--limit', '500'], /--limit must be at most 100, not 500/],
      [['submit', 'bees', '--channel', 'webhook'], /--channel webhook needs --webhook-url/],
      [['list', '--url', 'localhost:8080'], /the gateway URL must be http\(s\):\/\/host/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('when the gateway does not answer, then it says where it looked and exits 1 without a stack trace', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(['list'], { PRESSROOM_URL: url, PRESSROOM_TOKEN: 'prs_unused' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot reach the gateway at ${url} \\(ECONNREFUSED\\)`));
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  it('when no credentials are set, then it says which variables to set and exits 1', async () => {
    const r = await runCli(['list'], { PRESSROOM_URL: `http://127.0.0.1:${await freePort()}` });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no credentials: set PRESSROOM_TOKEN .* PRESSROOM_EMAIL and PRESSROOM_PASSWORD/);
  });

  it('when the gateway ends a watched stream early or answers 503 for a moment (a deploy), then watch resumes after the last event it saw', async () => {
    const id = randomUUID();
    const seen: Array<string | undefined> = [];
    const sse = (res: ServerResponse, ...events: string[]) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(events.join(''));
    };
    const gateway = createServer((req, res) => {
      seen.push(req.headers['last-event-id'] as string | undefined);
      if (seen.length === 1)
        return sse(
          res,
          `id: 1\nevent: request.research.started\ndata: {"request_id":"${id}","stage":"research","type":"started","attempt":1,"at":"2026-12-03T10:00:00.000Z"}\n\n`,
        );
      if (seen.length === 2) {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
        return res.end('{"code":"unavailable","detail":"starting"}');
      }
      sse(
        res,
        `id: 2\nevent: request.status\ndata: {"request_id":"${id}","status":"published","previous_status":"publishing","at":"2026-12-03T10:00:01.000Z"}\n\n`,
      );
    });
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    try {
      const r = await runCli(['watch', id], { PRESSROOM_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, PRESSROOM_TOKEN: 'prs_unused' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /research started\n.*status published/s);
      assert.deepEqual(seen, [undefined, '1', '1'], 'resumed with Last-Event-ID after the early end and after the 503');
    } finally {
      gateway.close();
    }
  });

  it('when a watched request fails and is reopened by a replay, then watch follows the new run to its end; a stream that keeps ending with nothing is given up after 5 tries', async () => {
    const id = randomUUID();
    const status = (seq: number, previous: string, next: string) =>
      `id: ${seq}\nevent: request.status\ndata: {"request_id":"${id}","status":"${next}","previous_status":"${previous}","at":"2026-12-03T10:00:0${seq}.000Z"}\n\n`;
    let empty = 0;
    const gateway = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (req.url?.includes('empty')) empty++;
      res.end(req.url?.includes('empty') ? '' : status(1, 'queued', 'failed') + status(2, 'failed', 'researching') + status(3, 'researching', 'published'));
    });
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    const env = { PRESSROOM_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, PRESSROOM_TOKEN: 'prs_unused' };
    try {
      const replayed = await runCli(['watch', id], env);
      assert.equal(replayed.code, 0, replayed.stderr);
      assert.match(replayed.stdout, /status failed\n.*status researching\n.*status published/s);
      const nothing = await runCli(['watch', 'empty'], env);
      assert.equal(nothing.code, 1);
      assert.match(nothing.stderr, /the event stream keeps dropping/);
      assert.equal(empty, 6, 'the first connection and 5 more');
    } finally {
      gateway.close();
    }
  });

  it("when PRESSROOM_EMAIL is set without PRESSROOM_PASSWORD, then it says so and exits 1, sending nobody the bootstrap admin's password", async () => {
    let logins = 0;
    const gateway = await startHttpStub(() => {
      logins++;
      return { status: 401, body: { code: 'invalid_credentials' } };
    });
    try {
      const r = await runCli(['list'], {
        PRESSROOM_URL: gateway.url,
        PRESSROOM_EMAIL: 'someone@example.com',
        BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
        BOOTSTRAP_ADMIN_PASSWORD: 'the admin password',
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /PRESSROOM_EMAIL is set \(someone@example.com\) but PRESSROOM_PASSWORD is not/);
      assert.doesNotMatch(r.stderr, NO_STACK);
      assert.equal(logins, 0, 'no login attempted');
    } finally {
      await gateway.close();
    }
  });

  it('when run through the installed `pressroom` bin from a folder outside the repository, then it works', async () => {
    const r = await runCli(['--help'], {}, { command: [join(root, 'node_modules', '.bin', 'pressroom')], cwd: tmpdir() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: pressroom <command>/);
  });
});

describe('pressroom CLI against a gateway (real PostgreSQL, Redis, RabbitMQ)', () => {
  let h: Awaited<ReturnType<typeof startTestGateway>>;
  let user: Awaited<ReturnType<typeof h.api.registerAndLogin>>;
  let env: Record<string, string>;
  before(async () => {
    h = await startTestGateway({}, 'cli');
    user = await h.api.registerAndLogin();
    env = { PRESSROOM_URL: h.url, PRESSROOM_EMAIL: user.email, PRESSROOM_PASSWORD: user.password };
  });
  after(() => h.close());

  type WorkerEvent = Omit<Parameters<typeof publishEvent>[1], 'request_id' | 'user_id' | 'message_id' | 'attempt'>;

  /**
   * Plays the workers: publishes their stage events for a request until the tracker shows `status`. Sent again
   * while it does not (the tracker ignores repeats), so that an event routed before the tracker's queue is
   * bound cannot leave the CLI waiting for its whole timeout.
   */
  async function playWorkers(requestId: string, events: WorkerEvent[], status: string) {
    await pollUntil(
      `request ${requestId} to become ${status}`,
      async () => {
        for (const event of events)
          await publishEvent(h.gateway.deps.broker, {
            request_id: requestId,
            user_id: user.userId,
            message_id: `${requestId}-${event.stage}`,
            attempt: 1,
            ...event,
          });
        const r = await h.api.call('GET', `/v1/requests/${requestId}`, { token: user.access });
        return r.body.status === status ? true : undefined;
      },
      { intervalMs: 250 },
    );
  }

  /** Runs `submit`, and once it prints the request id, plays the workers' events for that request. */
  async function submitWhile(args: string[], events: WorkerEvent[], status: string): Promise<CliRun & { id: string }> {
    let id = '';
    let playing: Promise<void> = Promise.resolve();
    const r = await runCli(['submit', ...args], env, {
      onStdout: (out) => {
        const printed = /^submitted (\S+)$/m.exec(out)?.[1];
        if (printed && !id) {
          id = printed;
          playing = playWorkers(id, events, status);
        }
      },
    });
    await playing;
    return { ...r, id };
  }

  let failedId = '';
  const reason = 'nothing matched "bees in winter" in the local corpus';

  it('when a submitted request fails, then submit prints its stage, error code and message and exits 1', async () => {
    const error = { code: 'no_sources', message: reason };
    const r = await submitWhile(
      ['bees in winter', '--tone', 'casual'],
      [
        { stage: 'research', type: 'started' },
        { stage: 'research', type: 'failed', error },
      ],
      'failed',
    );
    failedId = r.id;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^failed in \d+ ms$/m);
    assert.ok(r.stderr.includes(`request ${r.id} failed at the research stage: no_sources: ${reason}`), r.stderr);
    assert.doesNotMatch(r.stderr, NO_STACK);
  });

  it('when a submitted request is published, then submit prints its stages, the article and where it went', async () => {
    const article = {
      title: 'Bees',
      summary: 'About bees.',
      body_markdown: '# Bees\n\nBees dance [1].',
      sources: [{ title: 'Honeybees', url: 'file:///corpus/honeybees.md' }],
    };
    const events: WorkerEvent[] = [
      { stage: 'research', type: 'started' },
      { stage: 'research', type: 'completed', duration_ms: 5 },
      { stage: 'write', type: 'started' },
      { stage: 'write', type: 'completed', duration_ms: 5, result: { article } },
      { stage: 'publish', type: 'started' },
      { stage: 'publish', type: 'completed', duration_ms: 5, result: { published_url: 'file:///tmp/bees.md' } },
    ];
    const r = await submitWhile(['honeybees', '--length', 'short', '--audience', 'children'], events, 'published');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^submitted \S+\n/);
    assert.match(r.stdout, /^published +research:completed \d+ms +write:completed \d+ms +publish:completed \d+ms$/m);
    assert.ok(r.stdout.includes('# Bees\n\nBees dance [1].'), r.stdout);
    assert.match(r.stdout, /^published at file:\/\/\/tmp\/bees\.md$/m);
    assert.equal(r.stderr, '');
  });

  it("when a request is submitted to an ad-hoc webhook, then submit prints the webhook's signing secret, which the API shows only then", async () => {
    const r = await runCli(['submit', 'bees', '--channel', 'webhook', '--webhook-url', 'https://hooks.example.com/articles', '--no-wait'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^submitted \S+\nwebhook secret \(verifies this request's callbacks; shown once\): whsec_[A-Za-z0-9+/=]+\n$/);
  });

  it('when watching a request, then it prints each stage event and status change from the stream as they happen and exits 0 once published', async () => {
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'honeybees' } });
    const id = created.body.id as string;
    const emit = (event: WorkerEvent) =>
      publishEvent(h.gateway.deps.broker, { request_id: id, user_id: user.userId, message_id: `${id}-${event.stage}`, attempt: 1, ...event });
    const watching = runCli(['watch', id], env);
    // The stream replays from the start, so the events may be sent before or after it connects: none is missed.
    await emit({ stage: 'research', type: 'completed', duration_ms: 5 });
    await emit({ stage: 'write', type: 'started' });
    await emit({ stage: 'write', type: 'completed', duration_ms: 5 });
    await emit({ stage: 'publish', type: 'completed', duration_ms: 5, result: { published_url: 'file:///tmp/watched.md' } });
    const r = await watching;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\S+\s+/, ''));
    assert.deepEqual(
      lines.filter((l) => !l.startsWith('status')),
      ['research started', 'research completed 5ms', 'write started', 'write completed 5ms', 'publish started', 'publish completed 5ms'],
      r.stdout,
    );
    assert.equal(lines.at(-1), 'status published file:///tmp/watched.md');
    assert.equal(r.stderr, '');
  });

  it('when watching a request that is cancelled, then it ends with the cancelled status and exits 1; an unknown id is a 404 message', async () => {
    const created = await h.api.call('POST', '/v1/requests', { token: user.access, body: { topic: 'honeybees' } });
    const id = created.body.id as string;
    assert.equal((await h.api.call('POST', `/v1/requests/${id}/cancel`, { token: user.access })).status, 202);
    await publishEvent(h.gateway.deps.broker, {
      request_id: id,
      user_id: user.userId,
      message_id: `${id}-research`,
      attempt: 1,
      stage: 'research',
      type: 'cancelled',
    });
    const r = await runCli(['watch', id, '--json'], env);
    assert.equal(r.code, 1);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(last.event, 'request.status');
    assert.equal(last.data.status, 'cancelled');
    const unknown = await runCli(['watch', randomUUID()], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /answered 404 not_found/);
    assert.doesNotMatch(unknown.stderr, NO_STACK);
  });

  it('when asked for the status of that request, then it shows each stage with the error and the reason', async () => {
    const r = await runCli(['status', failedId], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^status {4}failed$/m);
    assert.match(r.stdout, /^ {2}research +failed +1 attempt +\d+ ms +no_sources: nothing matched/m);
    assert.match(r.stdout, /^ {2}write +pending/m);
    const json = JSON.parse((await runCli(['status', failedId, '--json'], env)).stdout);
    assert.deepEqual(json.stages[0].error, { code: 'no_sources', message: reason });
  });

  it('when listing, then the newest request comes first and --status filters', async () => {
    const queued = await runCli(['submit', 'bees in spring', '--no-wait'], env);
    assert.equal(queued.code, 0, queued.stderr);
    const queuedId = /^submitted (\S+)$/m.exec(queued.stdout)?.[1];
    assert.ok(queuedId);
    const all = await runCli(['list'], env);
    assert.equal(all.code, 0, all.stderr);
    const rows = all.stdout.trim().split('\n');
    assert.match(rows[0]!, /^ID +STATUS +CREATED +TOPIC$/);
    assert.ok(rows[1]!.startsWith(queuedId) && rows[1]!.includes('bees in spring'), all.stdout);
    const failedRow = rows.find((row) => row.startsWith(failedId));
    assert.ok(failedRow && /\bfailed\b/.test(failedRow), all.stdout);
    const failed = await runCli(['list', '--status', 'failed'], env);
    assert.ok(failed.stdout.includes(failedId) && !failed.stdout.includes(queuedId), failed.stdout);
    const paged = await runCli(['list', '--limit', '1'], env);
    assert.match(paged.stdout, /^more: pressroom list --limit 1 --cursor \S+$/m);
  });

  it('when the API refuses a call, then it prints the status, code and detail and exits 1', async () => {
    const missing = await runCli(['status', randomUUID()], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^pressroom: GET \/v1\/requests\/\S+ answered 404 not_found: /);

    const invalid = await runCli(['submit', 'ab'], env);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /answered 400 validation_failed: /);
    assert.match(invalid.stderr, /^ {2}topic: /m, 'names the field');

    const refused = await runCli(['list'], { ...env, PRESSROOM_PASSWORD: 'not the password' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`login as ${user.email} refused \\(unauthorized\\)`));
  });

  it('when several commands run with one email and password, then they sign in once and share the session (0600); a session ended meanwhile is replaced by a fresh sign-in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pressroom-cli-sessions-'));
    try {
      const u = await h.api.registerAndLogin();
      const e = { PRESSROOM_URL: h.url, PRESSROOM_EMAIL: u.email, PRESSROOM_PASSWORD: u.password, PRESSROOM_SESSION_DIR: dir };
      for (let i = 0; i < 3; i++) assert.equal((await runCli(['list'], e)).code, 0);
      const sessions = (await h.api.call('GET', '/v1/auth/sessions', { token: u.access })).body.items as Array<{ id: string; current: boolean }>;
      assert.equal(sessions.length, 2, "this test's own sign-in and one for the CLI, not one per command");
      const files = readdirSync(dir);
      assert.equal(files.length, 1);
      assert.equal(statSync(join(dir, files[0]!)).mode & 0o777, 0o600);
      const cli = sessions.find((x) => !x.current)!;
      assert.equal((await h.api.call('DELETE', `/v1/auth/sessions/${cli.id}`, { token: u.access })).status, 204);
      const after = await runCli(['list'], e);
      assert.equal(after.code, 0, after.stderr);
      const wrong = await runCli(['list'], { ...e, PRESSROOM_PASSWORD: 'not the password at all' });
      assert.equal(wrong.code, 1, 'another password never uses the kept session');
      assert.match(wrong.stderr, /login as .* refused/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when given a bearer token in PRESSROOM_TOKEN, then it uses it and needs no password', async () => {
    const r = await runCli(['list'], { PRESSROOM_URL: h.url, PRESSROOM_TOKEN: user.access });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(failedId), r.stdout);
  });
});
