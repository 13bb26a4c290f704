/**
 * The event streams this replica is serving. A stream ends by itself only when its request does, so a shutdown
 * that waited for them would spend its whole deadline there (and cut the tracker's and the relay's last work
 * short): shutdown ends them instead, and their clients reconnect, to another replica, with Last-Event-ID.
 */
export function createOpenStreams() {
  const open = new Set<() => void>();
  return {
    /** `end` finishes one stream; the returned function forgets it (the stream closed by itself). */
    add(end: () => void): () => void {
      open.add(end);
      return () => open.delete(end);
    },
    /** Ends every open stream; how many there were. */
    endAll(): number {
      const ending = [...open];
      open.clear();
      for (const end of ending) end();
      return ending.length;
    },
  };
}

export type OpenStreams = ReturnType<typeof createOpenStreams>;
