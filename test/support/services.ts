import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

import { freePort } from '@pressroom/test-support';

export { freePort };

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  port: number;
  /** Where /readyz, /healthz and /metrics answer: the gateway's GATEWAY_OPS_PORT, a worker's own port. */
  opsPort: number;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

type Name = 'gateway' | 'research' | 'llm' | 'publisher';

/** Spawns `services/<name>/src/main.ts` with only `env` (and PATH); stdout and stderr are kept, in order. */
function spawnMain(name: Name, env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, 'services', name, 'src', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    output.push(d.toString());
    stderr.push(d.toString());
  });
  return { child, output, stderr };
}

/**
 * Starts a service without waiting for it to become ready, for tests of how it fails to start: `line` awaits
 * a line of its output, `exited` its exit.
 */
export function spawnService(name: Name, env: Record<string, string>) {
  const { child, output, stderr } = spawnMain(name, env);
  // 'close', not 'exit': by then all of its output has been read.
  const exited = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    child,
    output,
    stderr,
    exited,
    /** Resolves with the first output line that matches; rejects if the process exits or `timeoutMs` passes first. */
    line(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const find = () =>
          output
            .join('')
            .split('\n')
            .find((l) => pattern.test(l));
        const done = (fn: () => void) => {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          child.stderr!.off('data', onData);
          child.off('close', onClose);
          fn();
        };
        const onData = () => {
          const found = find();
          if (found !== undefined) done(() => resolve(found));
        };
        const onClose = () => {
          const found = find();
          done(() => (found !== undefined ? resolve(found) : reject(new Error(`${name} exited before printing ${pattern}:\n${output.join('')}`))));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${name} printed no ${pattern} within ${timeoutMs} ms:\n${output.join('')}`))), timeoutMs);
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.on('close', onClose);
        onData();
      });
    },
  };
}

/**
 * Starts `services/<name>/src/main.ts` as its own process and waits until its /readyz says ready. The gateway
 * gets a free GATEWAY_OPS_PORT unless `env` names one, so gateways started side by side never collide.
 */
export async function startService(name: Name, env: Record<string, string>, port: number): Promise<ServiceProcess> {
  const opsPort = name === 'gateway' ? Number(env['GATEWAY_OPS_PORT'] ?? (await freePort())) : port;
  const { child, output } = spawnMain(name, name === 'gateway' ? { ...env, GATEWAY_OPS_PORT: String(opsPort) } : env);
  const exited = once(child, 'exit');
  // Generous: on a loaded 2-core machine, loading the OpenTelemetry instrumentations alone takes seconds.
  const readyMs = Number(process.env['TEST_SERVICE_READY_MS'] ?? 60_000);
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up:\n${output.join('')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready within ${readyMs / 1000} s:\n${output.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    child,
    port,
    opsPort,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
