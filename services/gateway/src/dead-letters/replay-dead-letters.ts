import { randomUUID } from 'node:crypto';
import { AppError, type Stage } from '@pressroom/contracts';
import { parseEnvelope } from '@pressroom/messaging';
import { withLogContext } from '@pressroom/logger';
import { continueStoredTrace } from '@pressroom/telemetry';
import { inTransaction, type Db, type DbClient } from '../db/pool.ts';
import { insertOutboxMessage } from '../outbox/outbox-repository.ts';
import { byRequestId } from '../tracker/event-fold.ts';
import { reopenRequest } from '../tracker/request-state-writer.ts';
import { claimDeadLetter, claimReplayable, markReplayed, type ReplayableLetter } from './dead-letter-repository.ts';

export interface ReplayOutcome {
  replayed: number;
  skipped: number;
  /** The stage of what was replayed (one letter's stage, or the stage asked for). */
  stage: Stage;
  /** The failed requests put back in flight (their streams are told once this commits). */
  reopened: string[];
}

/**
 * Re-queues a stage's dead letters through the outbox, in one transaction with marking them replayed. Each goes
 * back as a fresh task (new message id, attempt 1, the request's new run): the old id is remembered as done by the
 * consumers' de-duplication and would be skipped. Only a letter whose request is `failed` goes back: one whose request
 * is in flight again (an earlier replay reopened it: this letter is of a run that one superseded) or finished would
 * run its stage a second time beside the current run. Those and letters that are not valid tasks (malformed
 * messages) are left listed and counted as skipped.
 */
export async function replayDeadLetters(db: Db, stage: Stage): Promise<ReplayOutcome> {
  return inTransaction(db, async (tx) => ({ ...(await requeue(tx, await claimReplayable(tx, stage))), stage }));
}

/** The same for one dead letter: 404 if there is none, 409 if it was already replayed or its request is not failed. */
export async function replayDeadLetter(db: Db, id: string): Promise<ReplayOutcome> {
  return inTransaction(db, async (tx) => {
    const letter = await claimDeadLetter(tx, id);
    if (!letter) throw new AppError('not_found', `no dead letter ${id}`);
    if (letter.replayed_at) throw new AppError('conflict', `dead letter ${id} was already replayed at ${letter.replayed_at}`);
    return { ...(await requeue(tx, [letter], { refuse: true })), stage: letter.stage };
  });
}

/** `refuse`: a letter that cannot go back is a 409 (one letter asked for by id), not a skip. */
async function requeue(tx: DbClient, letters: ReplayableLetter[], opts: { refuse?: boolean } = {}): Promise<Omit<ReplayOutcome, 'stage'>> {
  const replayed: string[] = [];
  const reopened: string[] = [];
  // In request id order, the order in which the tracker's statement locks request rows: no deadlock between them.
  for (const letter of [...letters].sort(byRequestId)) {
    const parsed = parseEnvelope(letter.stage, Buffer.from(JSON.stringify(letter.message)));
    if (!parsed.ok) continue;
    const { reopened: wasFailed, run, status } = await reopenRequest(tx, parsed.envelope.request_id, letter.stage);
    if (!wasFailed) {
      if (opts.refuse)
        throw new AppError(
          'conflict',
          status
            ? `the request of dead letter ${letter.id} is ${status}, not failed: replaying it would run its ${letter.stage} stage a second time`
            : `the request of dead letter ${letter.id} no longer exists`,
        );
      continue;
    }
    reopened.push(parsed.envelope.request_id);
    const { run: _oldRun, ...envelope } = parsed.envelope;
    const task = { ...envelope, ...(run > 0 ? { run } : {}), message_id: randomUUID(), attempt: 1, enqueued_at: new Date().toISOString() };
    await insertOutboxMessage(tx, {
      request_id: task.request_id,
      exchange_key: 'tasks',
      routing_key: letter.stage,
      message: task,
      // The replay continues its request's trace (one trace per request), linked to the operator's call; its span
      // names the request's owner, as every span of that trace does, not the operator (who is on the linked span).
      headers: withLogContext({ request_id: task.request_id, user_id: task.user_id }, () =>
        continueStoredTrace('dead letter replay', letter.trace_headers, {
          request_id: task.request_id,
          'pressroom.stage': letter.stage,
          'pressroom.dead_letter.id': letter.id,
        }),
      ),
    });
    replayed.push(letter.id);
  }
  await markReplayed(tx, replayed);
  return { replayed: replayed.length, skipped: letters.length - replayed.length, reopened };
}
