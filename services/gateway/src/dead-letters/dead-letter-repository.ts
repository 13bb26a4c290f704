import type { Stage, StageError } from '@pressroom/contracts';
import type { DbClient } from '../db/pool.ts';

export interface DeadLetterRow {
  id: string;
  stage: Stage;
  request_id: string | null;
  reason: string;
  detail: string | null;
  attempts: number;
  message: unknown;
  dead_at: string;
  replayed_at: string | null;
}

export async function insertDeadLetter(db: DbClient, d: Omit<DeadLetterRow, 'replayed_at'> & { dedupe_key: string }): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO dead_letters (id, stage, request_id, reason, detail, attempts, message, dead_at, dedupe_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING`,
    [d.id, d.stage, d.request_id, d.reason, d.detail, d.attempts, JSON.stringify(d.message), d.dead_at, d.dedupe_key],
  );
  return (rowCount ?? 0) > 0;
}

/** A dead-lettered task means its request cannot finish: the request and the stage become `failed` with the reason. */
export async function failRequestForDeadLetter(db: DbClient, requestId: string, stage: Stage, error: StageError): Promise<void> {
  await db.query(
    `UPDATE request_stages SET status = 'failed', error = $3::jsonb, finished_at = COALESCE(finished_at, now())
      WHERE request_id = $1 AND stage = $2 AND status <> 'completed'`,
    [requestId, stage, JSON.stringify(error)],
  );
  await db.query(
    `UPDATE content_requests SET status = 'failed', error = $2::jsonb, updated_at = now() WHERE id = $1 AND status NOT IN ('published', 'failed')`,
    [requestId, JSON.stringify({ stage, ...error })],
  );
}

export async function listDeadLetters(db: DbClient, f: { stage?: Stage | undefined; requestId?: string | undefined; includeReplayed: boolean; limit: number }): Promise<DeadLetterRow[]> {
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT id, stage, request_id, reason, detail, attempts, NULL AS message, dead_at, replayed_at FROM dead_letters
      WHERE ($1::text IS NULL OR stage = $1) AND ($2::uuid IS NULL OR request_id = $2) AND ($3 OR replayed_at IS NULL)
      ORDER BY dead_at DESC, id DESC LIMIT $4`,
    [f.stage ?? null, f.requestId ?? null, f.includeReplayed, f.limit],
  );
  return rows;
}

/** Locks the stage's waiting dead letters so two admins replaying at once cannot send one twice. */
export async function claimReplayable(db: DbClient, stage: Stage): Promise<DeadLetterRow[]> {
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT id, stage, request_id, reason, detail, attempts, message, dead_at, replayed_at FROM dead_letters
      WHERE stage = $1 AND replayed_at IS NULL ORDER BY dead_at FOR UPDATE SKIP LOCKED`,
    [stage],
  );
  return rows;
}

export async function markReplayed(db: DbClient, ids: string[]): Promise<void> {
  await db.query('UPDATE dead_letters SET replayed_at = now() WHERE id = ANY($1::uuid[])', [ids]);
}

const IN_PROGRESS = { research: 'researching', write: 'writing', publish: 'publishing' } as const;

/** A replayed task puts its request back in flight at that stage; the tracker moves it on from there. */
export async function reopenRequest(db: DbClient, requestId: string, stage: Stage): Promise<void> {
  await db.query(`UPDATE request_stages SET status = 'pending', finished_at = NULL, duration_ms = NULL, error = NULL WHERE request_id = $1 AND stage = $2 AND status <> 'completed'`, [requestId, stage]);
  await db.query(`UPDATE content_requests SET status = $2, error = NULL, updated_at = now() WHERE id = $1 AND status = 'failed'`, [requestId, IN_PROGRESS[stage]]);
}
