import { StartupError } from './startup-error.ts';
import type { Shutdown } from './shutdown.ts';

/**
 * For `main.ts`: starts the service, then hands SIGTERM/SIGINT to its shutdown. A signal while it is still
 * starting (waiting for a dependency) aborts the start and exits 0; a failed start exits 1 with one line on
 * stderr that names the service and says what to do (a stack follows only for an unexpected error).
 */
export async function startOrExit<T extends { shutdown: Shutdown }>(
  service: string,
  start: (signal: AbortSignal) => Promise<T>,
  exit: (code: number) => never = (code) => process.exit(code),
): Promise<T> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let running: T;
  try {
    running = await start(stop.signal);
  } catch (err) {
    if (stop.signal.aborted) {
      process.stderr.write(`${service}: stopped while starting\n`);
      return exit(0);
    }
    const known = err instanceof StartupError;
    const message = (err as Error)?.message ?? String(err);
    process.stderr.write(`${service}: cannot start: ${message}\n${known ? '' : `${(err as Error)?.stack ?? ''}\n`}`);
    return exit(1);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  if (stop.signal.aborted) {
    // The signal arrived as the start finished: nothing waits on it any more, so shut down now.
    await running.shutdown.shutdown();
    return exit(0);
  }
  running.shutdown.onSignals();
  return running;
}
