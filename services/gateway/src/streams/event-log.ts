import type { DbClient } from '../db/pool.ts';

export interface LoggedEvent {
  seq: number;
  event: string;
  data: Record<string, unknown>;
}

/** The request's events after `afterSeq`, in order: a primary-key prefix range (a request has a handful). */
export async function eventsAfter(db: DbClient, requestId: string, afterSeq: number): Promise<LoggedEvent[]> {
  const { rows } = await db.query<LoggedEvent>('SELECT seq, event, data FROM request_events WHERE request_id = $1 AND seq > $2 ORDER BY seq', [
    requestId,
    afterSeq,
  ]);
  return rows;
}
