import { randomUUID } from 'node:crypto';
import type { Stage } from '@pressroom/contracts';
import { parseEnvelope } from '@pressroom/messaging';
import { injectTraceHeaders } from '@pressroom/telemetry';
import { inTransaction, type Db } from '../db/pool.ts';
import { insertOutboxMessage } from '../outbox/outbox-repository.ts';
import { reopenRequest } from '../tracker/request-state-writer.ts';
import { claimReplayable, markReplayed } from './dead-letter-repository.ts';

/**
 * Re-queues a stage's dead letters through the outbox, in one transaction with marking them replayed. Each goes
 * back as a fresh task (new message id, attempt 1): the old id is remembered as done by the consumers'
 * de-duplication and would be skipped. Letters that are not valid tasks (malformed messages) are left listed.
 */
export async function replayDeadLetters(db: Db, stage: Stage): Promise<{ replayed: number; skipped: number }> {
  return inTransaction(db, async (tx) => {
    const letters = await claimReplayable(tx, stage);
    const replayed: string[] = [];
    for (const letter of letters) {
      const parsed = parseEnvelope(stage, Buffer.from(JSON.stringify(letter.message)));
      if (!parsed.ok) continue;
      const task = { ...parsed.envelope, message_id: randomUUID(), attempt: 1, enqueued_at: new Date().toISOString() };
      await insertOutboxMessage(tx, { request_id: task.request_id, exchange_key: 'tasks', routing_key: stage, message: task, headers: injectTraceHeaders() });
      await reopenRequest(tx, task.request_id, stage);
      replayed.push(letter.id);
    }
    await markReplayed(tx, replayed);
    return { replayed: replayed.length, skipped: letters.length - replayed.length };
  });
}
