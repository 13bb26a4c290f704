import type { Logger } from '@pressroom/logger';

type Closer = () => Promise<void> | void;

/**
 * Resources register how they close as they are opened; one `shutdown()` closes them in reverse order,
 * each bounded by the overall deadline so a stuck connection cannot hold the process forever.
 */
export function createShutdown(logger: Logger, timeoutMs: number) {
  const closers: Array<{ name: string; close: Closer }> = [];
  let running: Promise<void> | undefined;

  async function runAll(): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const { name, close } of closers.toReversed()) {
      const left = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(close),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${left} ms`)), left);
          }),
        ]);
        logger.debug({ resource: name }, 'closed');
      } catch (err) {
        logger.warn({ err, resource: name }, 'close failed during shutdown');
      } finally {
        clearTimeout(timer);
      }
    }
  }

  return {
    register(name: string, close: Closer): void {
      closers.push({ name, close });
    },
    shutdown(): Promise<void> {
      running ??= runAll();
      return running;
    },
    /** SIGTERM/SIGINT run the shutdown once, then exit; a second signal exits at once. */
    onSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
      let signalled = false;
      const handler = (signal: NodeJS.Signals) => {
        if (signalled) return exit(130);
        signalled = true;
        logger.info({ signal }, 'shutting down');
        this.shutdown().then(
          () => exit(0),
          () => exit(1),
        );
      };
      process.on('SIGTERM', handler);
      process.on('SIGINT', handler);
    },
  };
}

export type Shutdown = ReturnType<typeof createShutdown>;
