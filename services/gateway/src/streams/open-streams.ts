/**
 * The event streams this replica is serving. A stream ends by itself only when its request does, so a shutdown
 * that waited for them would spend its whole deadline there (and cut the tracker's and the relay's last work
 * short): shutdown ends them instead, and their clients reconnect, to another replica, with Last-Event-ID.
 */
export function createOpenStreams() {
  const open = new Set<() => void>();
  let shuttingDown = false;
  return {
    /**
     * `end` finishes one stream; the returned function forgets it (the stream closed by itself). A stream that
     * opens once shutdown has begun (it was being set up, or came on a kept-alive connection) is ended at once.
     */
    add(end: () => void): () => void {
      if (shuttingDown) {
        end();
        return () => {};
      }
      open.add(end);
      return () => open.delete(end);
    },
    /** Ends every open stream, and every later one; how many were open. */
    endAll(): number {
      shuttingDown = true;
      const ending = [...open];
      open.clear();
      for (const end of ending) end();
      return ending.length;
    },
  };
}

export type OpenStreams = ReturnType<typeof createOpenStreams>;
