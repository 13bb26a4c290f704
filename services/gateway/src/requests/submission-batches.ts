import type { Db } from '../db/pool.ts';
import { insertSubmission, insertSubmissionBatch, type Submission, type SubmissionResult } from './submission-repository.ts';

interface Waiter {
  submission: Submission;
  resolve(result: SubmissionResult): void;
  reject(err: unknown): void;
}

const MAX_BATCH = 100;

/**
 * Group commit for one user's submissions. A user's submissions serialise on their quota counter row, whose lock
 * lasts until the commit is flushed: fifty at once from one client would be fifty commits in a row, each waiting
 * for the disk. So while one of a user's statements is in flight, that user's next submissions wait and then go
 * together in one statement (SUBMIT_BATCH_SQL): one counter update, one commit. A lone submission goes at once,
 * as before. A batch the quota cannot take whole, or that fails, is submitted again one by one, so that the quota
 * stays exact at its boundary and each submission gets its own answer. Submissions with an Idempotency-Key do
 * not come here (their key needs the single statement's replay logic).
 */
export function createSubmissionBatches(db: Db) {
  /** Per user and quota day, while a statement of theirs is in flight: the submissions waiting for the next one. */
  const waiting = new Map<string, Waiter[]>();

  function next(key: string): void {
    const queue = waiting.get(key)!;
    if (queue.length === 0) {
      waiting.delete(key);
      return;
    }
    void write(queue.splice(0, MAX_BATCH)).then(() => next(key));
  }

  /** Settles every waiter of the batch; never rejects. */
  async function write(batch: Waiter[]): Promise<void> {
    if (batch.length > 1) {
      const results = await insertSubmissionBatch(
        db,
        batch.map((w) => w.submission),
      ).catch(() => undefined);
      if (results) {
        batch.forEach((w, i) => w.resolve(results[i]!));
        return;
      }
    }
    await Promise.all(batch.map((w) => insertSubmission(db, w.submission).then(w.resolve, w.reject)));
  }

  return {
    insert(submission: Submission): Promise<SubmissionResult> {
      const key = `${submission.request.user_id}/${submission.day}`;
      const queue = waiting.get(key);
      if (queue) return new Promise((resolve, reject) => queue.push({ submission, resolve, reject }));
      waiting.set(key, []);
      const result = insertSubmission(db, submission);
      const done = () => next(key);
      result.then(done, done);
      return result;
    },
  };
}

export type SubmissionBatches = ReturnType<typeof createSubmissionBatches>;
