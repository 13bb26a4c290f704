import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/pool.ts';
import { quotaWindow } from '../../src/requests/quota.ts';
import type { Submission } from '../../src/requests/submission-repository.ts';

/** `n` queued requests of `userId`, each with its three pending stage rows, straight into the tables. */
export async function insertRequests(db: Db, userId: string, n: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO content_requests (id, user_id, topic, tone, length, channel) SELECT gen_random_uuid(), $1, 'topic ' || g, 'neutral', 'short', '{"type":"file"}' FROM generate_series(1, $2::int) g RETURNING id`,
    [userId, n],
  );
  const ids = rows.map((r) => r.id);
  await db.query(
    `INSERT INTO request_stages (request_id, stage, position) SELECT r, s.stage, s.position FROM unnest($1::uuid[]) r CROSS JOIN (VALUES ('research', 1), ('write', 2), ('publish', 3)) AS s (stage, position)`,
    [ids],
  );
  return ids;
}

/**
 * The real pool, with every statement counted on its way (`statements()`); `afterEach`, when given, runs after a
 * statement's answer came back and before the caller sees it (a test holds an answer back with it).
 */
export function countingDb(db: Db, afterEach?: () => Promise<void> | undefined): { db: Db; statements(): number; reset(): void } {
  let n = 0;
  const counted = Object.create(db, {
    query: {
      value: async (...args: unknown[]) => {
        n++;
        const result = await (db.query as (...a: unknown[]) => Promise<unknown>)(...args);
        await afterEach?.();
        return result;
      },
    },
  }) as Db;
  return { db: counted, statements: () => n, reset: () => void (n = 0) };
}

/** A submission of `userId` for today as submit-request.ts builds it; its task's message and headers name its request. */
export function testSubmission(
  userId: string,
  opts: { request?: Partial<Submission['request']>; defaultQuota?: number; spendBudgetUsd?: number; idempotencyKey?: string } = {},
): Submission {
  const id = opts.request?.id ?? randomUUID();
  return {
    request: {
      id,
      user_id: userId,
      topic: `topic ${id}`,
      audience: null,
      tone: 'neutral',
      length: 'short',
      channel: { type: 'file' },
      trace_id: null,
      ...opts.request,
    },
    task: { exchange_key: 'tasks', routing_key: 'research', message: { request_id: id }, headers: { traceparent: id } },
    defaultQuota: opts.defaultQuota ?? 1000,
    day: quotaWindow().day,
    spendBudgetUsd: opts.spendBudgetUsd,
    idempotency: opts.idempotencyKey ? { key: opts.idempotencyKey, bodyHash: 'h' } : undefined,
  };
}
