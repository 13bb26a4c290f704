import { watch } from 'node:fs';
import { readdir } from 'node:fs/promises';

const ARTICLE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.md$/;

/**
 * When each request was really published: the file channel renames `<request_id>.md` into the publish folder
 * once the article is whole, and inotify (fs.watch) tells this process at once, on the same clock that timed
 * the submission. Nothing is asked of the gateway or the broker, so watching costs the measured processes
 * nothing. A rescan every 2 s catches anything the watch missed (counted in `rescued`: they carry the scan's
 * time, up to 2 s late, so a non-zero count means the latencies are less exact).
 */
export async function watchPublished(dir: string) {
  const published = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const listeners = new Set<(id: string, at: number) => void>();
  const rescued = new Set<string>();

  const record = (id: string, at: number) => {
    published.set(id, at);
    waiters.get(id)?.();
    waiters.delete(id);
    for (const l of listeners) l(id, at);
  };
  const idOf = (name: string | null) => (name ? ARTICLE.exec(name)?.[1] : undefined);

  const watcher = watch(dir, (_event, name) => {
    const id = idOf(name);
    if (id && !published.has(id)) record(id, performance.now());
  });
  // A file the scan lists may still have its inotify event queued behind the scan's callback: only one that
  // the watch has not reported by the next scan, 2 s later, counts as missed (dated by the first scan).
  let suspects = new Map<string, number>();
  const scan = async () => {
    const names = await readdir(dir).catch(() => [] as string[]);
    const now = performance.now();
    const next = new Map<string, number>();
    for (const name of names) {
      const id = idOf(name);
      if (!id || published.has(id)) continue;
      const first = suspects.get(id);
      if (first === undefined) next.set(id, now);
      else {
        rescued.add(id);
        record(id, first);
      }
    }
    suspects = next;
  };
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const id = idOf(name);
    if (id) record(id, performance.now());
  }
  const timer = setInterval(() => void scan(), 2000);

  return {
    published,
    /** Requests found by the rescan rather than the watch. */
    rescued,
    /** Called for every newly published request (the status-lag probe starts polling from here). */
    onPublished(listener: (id: string, at: number) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Resolves when the request is published, or after `timeoutMs` (a lane never hangs on a lost one). */
    settled(id: string, timeoutMs: number): Promise<void> {
      if (published.has(id)) return Promise.resolve();
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          waiters.delete(id);
          resolve();
        }, timeoutMs);
        waiters.set(id, () => (clearTimeout(t), resolve()));
      });
    },
    close(): void {
      clearInterval(timer);
      watcher.close();
    },
  };
}

export type PublishWatcher = Awaited<ReturnType<typeof watchPublished>>;
