/**
 * Polls `probe` until it returns something other than undefined. A bounded loop, not a sleep: it returns as
 * soon as the condition holds and fails after `timeoutMs` naming what it waited for and what it last saw.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs?: number; intervalMs?: number; lastSeen?: () => string } = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 50 } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${opts.lastSeen ? `; last seen: ${opts.lastSeen()}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
