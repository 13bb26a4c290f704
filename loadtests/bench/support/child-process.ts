import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { sleep } from './stats.ts';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export type ServiceName = 'gateway' | 'research' | 'llm' | 'publisher';

export interface Child {
  name: string;
  pid: number;
  port: number;
  /** The last lines the process wrote (LOG_LEVEL=warn keeps this to problems). */
  tail(): string;
  stop(): Promise<number | null>;
}

import { freePort } from '@pressroom/test-support';

export { freePort };

function wrap(name: string, child: ChildProcess, port: number): Child {
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(d.toString());
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  return {
    name,
    pid: child.pid!,
    port,
    tail: () => lines.join('').slice(-4000),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Runs `services/<name>/src/main.ts` as its own process (its own event loop and CPU, as in production) and
 * waits until its /readyz answers 200 (the gateway's on a free GATEWAY_OPS_PORT). PRESSROOM_ENV_FILE points
 * nowhere so a developer's .env never leaks in.
 */
export async function startService(name: ServiceName, env: Record<string, string>, port: number, nodeArgs: string[] = []): Promise<Child> {
  const readyPort = name === 'gateway' ? await freePort() : port;
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'services', name, 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      PRESSROOM_ENV_FILE: '/nonexistent',
      ...env,
      ...(name === 'gateway' ? { GATEWAY_OPS_PORT: String(readyPort) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = wrap(name, child, port);
  // As long as the services themselves wait for their dependencies (STARTUP_WAIT_S, 60 s by default).
  const deadline = Date.now() + 60_000;
  let last = 'no answer';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up:\n${handle.tail()}`);
    const ready = await fetch(`http://127.0.0.1:${readyPort}/readyz`).then(
      async (r) => {
        last = `${r.status} ${(await r.text()).slice(0, 300)}`;
        return r.status === 200;
      },
      () => false,
    );
    if (ready) return handle;
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`${name} not ready within 60 s (last /readyz: ${last}):\n${handle.tail()}`);
    }
    await sleep(100);
  }
}

/** Runs a bench helper script that reports `{ port }` over IPC once it listens (its own process and event loop). */
export async function startScript(name: string, script: string, env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, [script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { PATH: process.env['PATH'] ?? '', ...env } });
  const handle = wrap(name, child, 0);
  const exited = once(child, 'exit').then(() => {
    throw new Error(`${name} exited:\n${handle.tail()}`);
  });
  const [message] = (await Promise.race([once(child, 'message'), exited])) as [{ port: number }];
  child.disconnect();
  return { ...handle, port: message.port };
}
