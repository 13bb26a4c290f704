// A real Alertmanager for the routing tests: Debian's binary (found on PATH or fetched from the
// prometheus-alertmanager package, like promtool), the project's deploy/alertmanager/alertmanager.yml with only its
// endpoints, secret files and timings pointed at this machine, and a minimal SMTP server that keeps what it gets.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, pollUntil } from '@pressroom/test-support';
import { findTool, type DebianTool } from '../../../scripts/checks/debian-tool.ts';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const ALERTMANAGER_CONFIG = join(ROOT, 'deploy', 'alertmanager', 'alertmanager.yml');
const INSTALL = 'apt-get install -y prometheus-alertmanager';
const ALERTMANAGER: DebianTool = { command: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager', path: 'usr/bin/prometheus-alertmanager' };
const AMTOOL: DebianTool = { command: 'amtool', pkg: 'prometheus-alertmanager', path: 'usr/bin/amtool' };

/** The binary's path, fetched from Debian when missing; a failure says how to install it (never a skip). */
function binary(which: 'alertmanager' | 'amtool'): string {
  const tool = which === 'amtool' ? AMTOOL : ALERTMANAGER;
  try {
    const path = findTool(tool, { fetch: true });
    if (path) return path;
  } catch (err) {
    throw new Error(`${tool.command} is missing and could not be fetched (${(err as Error).message}): ${INSTALL}`, { cause: err });
  }
  throw new Error(`${tool.command} is missing: ${INSTALL}`);
}

export function amtool(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(binary('amtool'), args, { encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

interface Endpoints {
  slackUrl: string;
  webhookUrl: string;
  smtpPort: number;
  webhookToken: string;
}

type Receiver = {
  slack_configs?: Array<Record<string, unknown>>;
  email_configs?: Array<Record<string, unknown>>;
  webhook_configs?: Array<Record<string, unknown> & { http_config?: { authorization?: { credentials_file?: string } } }>;
};
type Route = { group_wait?: string; group_interval?: string; routes?: Route[] };

/**
 * The project's config with its endpoints swapped for local ones. Routes, grouping, repeats and inhibition are
 * kept; only the waits shrink to a second so a test sees a notification cycle in seconds.
 */
export function localConfig(dir: string, e: Endpoints): string {
  const doc = parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8'), { maxAliasCount: -1 }) as {
    global: Record<string, unknown>;
    route: Route;
    receivers: Receiver[];
  };
  const secret = (name: string, value: string) => {
    const path = join(dir, name);
    writeFileSync(path, value);
    return path;
  };
  doc.global['smtp_smarthost'] = `127.0.0.1:${e.smtpPort}`;
  doc.global['smtp_require_tls'] = false;
  doc.global['smtp_auth_password_file'] = secret('smtp-password', 'not-used-without-auth');
  const slackFile = secret('slack-api-url', e.slackUrl);
  const tokenFile = secret('webhook-token', e.webhookToken);
  for (const r of doc.receivers) {
    for (const s of r.slack_configs ?? []) s['api_url_file'] = slackFile;
    for (const w of r.webhook_configs ?? []) {
      w['url'] = e.webhookUrl;
      w.http_config = { authorization: { credentials_file: tokenFile } };
    }
  }
  const quicken = (route: Route) => {
    if (route.group_wait) route.group_wait = '1s';
    route.group_interval = '1s';
    for (const r of route.routes ?? []) quicken(r);
  };
  quicken(doc.route);
  const path = join(dir, 'alertmanager.yml');
  writeFileSync(path, stringify(doc, { aliasDuplicateObjects: false }));
  return path;
}

export interface SmtpStandIn {
  port: number;
  messages: string[];
  close(): Promise<void>;
}

/** Just enough SMTP (RFC 5321: greeting, EHLO, MAIL, RCPT, DATA, QUIT; no STARTTLS, no AUTH) to take a message. */
export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Alertmanager may reset a connection it is done with; that is its business, and what it sent is in `messages`.
    // Without a listener the reset would be an uncaught exception that fails whichever test is running.
    socket.on('error', () => socket.destroy());
    let buffer = '';
    let inData = false;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 stand-in ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          reply('250 queued');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const command = buffer.slice(0, nl).toUpperCase();
        buffer = buffer.slice(nl + 2);
        if (command.startsWith('EHLO') || command.startsWith('HELO')) reply('250 stand-in');
        else if (command.startsWith('DATA')) {
          inData = true;
          reply('354 go ahead');
        } else if (command.startsWith('QUIT')) {
          reply('221 bye');
          socket.end();
        } else reply('250 ok');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    messages,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export interface RunningAlertmanager {
  url: string;
  postAlerts(alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; endsAt?: string }>): Promise<void>;
  alerts(): Promise<Array<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] }; fingerprint: string }>>;
  close(): Promise<void>;
}

/** Starts Alertmanager on a free loopback port, clustering off, its storage in `dir`; resolves once it is ready. */
export async function startAlertmanager(configPath: string, dir: string): Promise<RunningAlertmanager> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    binary('alertmanager'),
    [
      `--config.file=${configPath}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=debug',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const exited = once(child, 'exit');
  await pollUntil(
    'alertmanager /-/ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`alertmanager exited (${child.exitCode}):\n${log}`);
      const r = await fetch(`${url}/-/ready`).catch(() => undefined);
      return r?.ok ? true : undefined;
    },
    { timeoutMs: 20_000, lastSeen: () => log.slice(-2000) },
  );
  return {
    url,
    async postAlerts(alerts) {
      const r = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!r.ok) throw new Error(`POST /api/v2/alerts: ${r.status} ${await r.text()}`);
    },
    async alerts() {
      const r = await fetch(`${url}/api/v2/alerts`);
      return (await r.json()) as Awaited<ReturnType<RunningAlertmanager['alerts']>>;
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });
