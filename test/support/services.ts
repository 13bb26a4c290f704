import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export { freePort } from '@pressroom/test-support';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  port: number;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `services/<name>/src/main.ts` as its own process and waits until its /readyz says ready. */
export async function startService(name: 'gateway' | 'research' | 'llm' | 'publisher', env: Record<string, string>, port: number): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [join(root, 'services', name, 'src', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PRESSROOM_ENV_FILE: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = once(child, 'exit');
  // Generous: on a loaded 2-core machine, loading the OpenTelemetry instrumentations alone takes seconds.
  const readyMs = Number(process.env['TEST_SERVICE_READY_MS'] ?? 60_000);
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up:\n${output.join('')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
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
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
