import { once } from 'node:events';
import type { Server } from 'node:http';
import { StartupError } from './startup-error.ts';

/**
 * Listens and resolves with the bound port; a port that is taken or not allowed becomes a `StartupError`
 * naming the setting to change, instead of an unhandled EADDRINUSE with a stack.
 */
export async function listen(server: Server, opts: { port: number; host: string; setting: string }): Promise<number> {
  server.listen(opts.port, opts.host);
  try {
    await once(server, 'listening');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`port ${opts.port} is already in use; stop what holds it or set ${opts.setting} to a free port`);
    if (code === 'EACCES') throw new StartupError(`not allowed to listen on port ${opts.port}; set ${opts.setting} to a port above 1023`);
    throw err;
  }
  const address = server.address();
  return typeof address === 'object' && address ? address.port : opts.port;
}
