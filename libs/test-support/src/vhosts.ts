import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqplib from 'amqplib';
import { BASE_URLS } from './test-env.ts';
import { pollUntil } from './poll.ts';

const RABBITMQCTL = process.env['TEST_RABBITMQCTL'] ?? 'rabbitmqctl';

async function rabbitmqctl(args: string[]): Promise<void> {
  const child = spawn(RABBITMQCTL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
}

/** The test broker's URL on virtual host `name`. */
export function vhostUrl(name: string): string {
  const u = new URL(BASE_URLS.rabbitmq);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/**
 * Fresh RabbitMQ virtual hosts that have never seen Pressroom, the test user allowed everything on each. One
 * `rabbitmqctl import_definitions` call makes them all (a CLI call costs ~0.4 s of CPU); the import finishes
 * asynchronously, so this resolves once the user can connect to every one of them.
 */
export async function createVhosts(names: string[]): Promise<void> {
  const user = decodeURIComponent(new URL(BASE_URLS.rabbitmq).username || 'guest');
  const definitions = {
    vhosts: names.map((name) => ({ name })),
    permissions: names.map((vhost) => ({ user, vhost, configure: '.*', write: '.*', read: '.*' })),
  };
  // rabbitmqctl may run as the broker's own user: the file must be readable by others.
  const dir = await mkdtemp(join(tmpdir(), 'pressroom-vhosts-'));
  try {
    await chmod(dir, 0o755);
    const file = join(dir, 'definitions.json');
    await writeFile(file, JSON.stringify(definitions), { mode: 0o644 });
    await rabbitmqctl(['import_definitions', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  for (const name of names) {
    await pollUntil(`virtual host ${name}`, async () => {
      const conn = await amqplib.connect(vhostUrl(name)).catch(() => undefined);
      await conn?.close();
      return conn ? true : undefined;
    });
  }
}

/** Deletes virtual hosts with everything declared in them; a missing one is not an error. */
export async function deleteVhosts(names: string[]): Promise<void> {
  for (const name of names) await rabbitmqctl(['delete_vhost', name]).catch(() => undefined);
}

/**
 * A RabbitMQ policy on the default virtual host, for queues whose names match `pattern` (as an operator would set
 * one): e.g. `{ 'delivery-limit': 2 }` makes quorum queues behave like RabbitMQ 4's default limit, sooner.
 */
export async function setQueuePolicy(name: string, pattern: string, definition: Record<string, unknown>): Promise<void> {
  await rabbitmqctl(['set_policy', name, pattern, JSON.stringify(definition), '--apply-to', 'queues', '--priority', '10']);
}

export async function clearPolicy(name: string): Promise<void> {
  await rabbitmqctl(['clear_policy', name]).catch(() => undefined);
}
