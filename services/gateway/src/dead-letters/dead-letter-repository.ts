import type { Stage } from '@pressroom/contracts';
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

/** A letter as a replay reads it: with the trace context it carried, to continue its request's trace. */
export interface ReplayableLetter extends DeadLetterRow {
  trace_headers: Record<string, string> | null;
}

export async function insertDeadLetter(db: DbClient, d: Omit<ReplayableLetter, 'replayed_at'> & { dedupe_key: string }): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO dead_letters (id, stage, request_id, reason, detail, attempts, message, dead_at, dedupe_key, trace_headers)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      d.id,
      d.stage,
      d.request_id,
      d.reason,
      d.detail,
      d.attempts,
      JSON.stringify(d.message),
      d.dead_at,
      d.dedupe_key,
      d.trace_headers && JSON.stringify(d.trace_headers),
    ],
  );
  return (rowCount ?? 0) > 0;
}

export async function listDeadLetters(
  db: DbClient,
  f: { stage?: Stage | undefined; requestId?: string | undefined; includeReplayed: boolean; limit: number },
): Promise<DeadLetterRow[]> {
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT id, stage, request_id, reason, detail, attempts, NULL AS message, dead_at, replayed_at FROM dead_letters
      WHERE ($1::text IS NULL OR stage = $1) AND ($2::uuid IS NULL OR request_id = $2) AND ($3 OR replayed_at IS NULL)
      ORDER BY dead_at DESC, id DESC LIMIT $4`,
    [f.stage ?? null, f.requestId ?? null, f.includeReplayed, f.limit],
  );
  return rows;
}

/** Locks the stage's waiting dead letters so two admins replaying at once cannot send one twice. */
export async function claimReplayable(db: DbClient, stage: Stage): Promise<ReplayableLetter[]> {
  const { rows } = await db.query<ReplayableLetter>(
    `SELECT id, stage, request_id, reason, detail, attempts, message, dead_at, replayed_at, trace_headers FROM dead_letters
      WHERE stage = $1 AND replayed_at IS NULL ORDER BY dead_at FOR UPDATE SKIP LOCKED`,
    [stage],
  );
  return rows;
}

export async function markReplayed(db: DbClient, ids: string[]): Promise<void> {
  await db.query('UPDATE dead_letters SET replayed_at = now() WHERE id = ANY($1::uuid[])', [ids]);
}

/** One dead letter, locked for its replay; `undefined` if there is none with that id. */
export async function claimDeadLetter(db: DbClient, id: string): Promise<ReplayableLetter | undefined> {
  const { rows } = await db.query<ReplayableLetter>(
    'SELECT id, stage, request_id, reason, detail, attempts, message, dead_at, replayed_at, trace_headers FROM dead_letters WHERE id = $1 FOR UPDATE',
    [id],
  );
  return rows[0];
}

/** Dead letters not yet replayed, per stage (stages without any are absent). */
export async function countWaitingByStage(db: DbClient): Promise<Map<string, number>> {
  const { rows } = await db.query<{ stage: string; n: number }>('SELECT stage, count(*)::int AS n FROM dead_letters WHERE replayed_at IS NULL GROUP BY stage');
  return new Map(rows.map((r) => [r.stage, r.n]));
}
