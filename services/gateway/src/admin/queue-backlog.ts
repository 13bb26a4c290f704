import type { Static } from '@sinclair/typebox';
import { STAGES, type QueueList, type QueueView } from '@pressroom/contracts';
import { delayLevels } from '@pressroom/messaging';
import { retryPolicyFrom } from '@pressroom/runtime';
import type { GatewayDeps } from '../deps.ts';
import { countWaitingByStage } from '../dead-letters/dead-letter-repository.ts';
import { waitingTasksByStage } from '../requests/request-repository.ts';

// Requests older than this are not looked at: the in-flight index range stays short, and a week-old task in flight is an incident anyway.
const HORIZON_S = 7 * 86_400;

/**
 * Each stage's backlog: the broker's ready counts (work queue, and every backoff level summed; `null` while the
 * broker is away, so the view still answers) beside what the gateway's own state says is waiting and for how long.
 */
export async function listQueues(deps: Pick<GatewayDeps, 'db' | 'broker' | 'config'>): Promise<Static<typeof QueueList>> {
  const levels = delayLevels(retryPolicyFrom(deps.config)).length;
  const [waiting, dead, ...counts] = await Promise.all([
    waitingTasksByStage(deps.db, HORIZON_S),
    countWaitingByStage(deps.db),
    ...STAGES.map((stage) => brokerCounts(deps.broker, stage, levels)),
  ]);
  const items = STAGES.map((stage, i): Static<typeof QueueView> => {
    const w = waiting.get(stage);
    return { stage, ...counts[i]!, waiting: w?.waiting ?? 0, oldest_waiting_s: Math.round((w?.oldest_s ?? 0) * 10) / 10, dead_letters: dead.get(stage) ?? 0 };
  });
  return { items };
}

async function brokerCounts(
  broker: GatewayDeps['broker'],
  stage: (typeof STAGES)[number],
  levels: number,
): Promise<{ ready: number | null; delayed: number | null }> {
  const [ready, ...delays] = await Promise.all([
    broker.messageCount(broker.names.work(stage)),
    ...Array.from({ length: levels }, (_, l) => broker.messageCount(broker.names.delay(stage, l))),
  ]);
  const delayed = delays.some((n) => n === undefined) ? null : delays.reduce<number>((a, n) => a + (n ?? 0), 0);
  return { ready: ready ?? null, delayed };
}
