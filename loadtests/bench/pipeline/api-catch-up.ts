import { getJson } from '../support/api-client.ts';
import { queueDepth } from '../support/broker-admin.ts';
import { sleep } from '../support/stats.ts';
import type { RunContext } from './cpu-run.ts';
import type { SubmitLog } from './submitters.ts';

/**
 * After the articles are out, waits until the API shows them too: the tracker's queue (`gateway.events`) has
 * nothing ready, and a sample of the phase's published requests (the 10 last ones and 10 spread over the
 * phase) reads `published` (20 GETs every half second at most: next to nothing in the window). Without this the tracker's catching up would fall into the next phase: its CPU
 * outside the window it belongs to, its backlog inflating the next phase's status lag. Returns the ms waited.
 */
export async function untilApiCaughtUp(ctx: RunContext, log: SubmitLog, maxMs = 120_000): Promise<{ ms: number; caughtUp: boolean }> {
  const started = performance.now();
  const published = [...log.sent.keys()]
    .filter((id) => ctx.watcher.published.has(id))
    .sort((a, b) => ctx.watcher.published.get(a)! - ctx.watcher.published.get(b)!);
  const step = Math.max(1, Math.floor(published.length / 10));
  const sample = [...new Set([...published.slice(-10), ...published.filter((_, i) => i % step === 0)])];
  const queue = `${ctx.stack.prefix}gateway.events`;
  while (performance.now() - started < maxMs) {
    if ((await queueDepth(ctx.broker, queue)) > 0) {
      await sleep(200);
      continue;
    }
    const statuses = await Promise.all(
      sample.map((id) =>
        getJson(`${ctx.stack.gatewayUrl}/v1/requests/${id}`, log.owner.get(id)?.token).then(
          (r) => (r.body as { status?: string } | undefined)?.status,
          () => undefined,
        ),
      ),
    );
    if (statuses.every((s) => s === 'published' || s === 'failed')) return { ms: performance.now() - started, caughtUp: true };
    await sleep(500);
  }
  return { ms: performance.now() - started, caughtUp: false };
}
