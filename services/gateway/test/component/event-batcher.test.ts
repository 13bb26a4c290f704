import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StageEvent } from '@pressroom/contracts';
import { createLogger, withLogContext } from '@pressroom/logger';
import type { Delivery } from '@pressroom/messaging';
import { createDatabase, dropDatabase, databaseUrl, freePort, testId } from '@pressroom/test-support';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Db } from '../../src/db/pool.ts';
import { createEventBatcher } from '../../src/tracker/event-batcher.ts';
import { countingDb, insertRequests } from '../support/db-fixtures.ts';
import { captureLogs } from '../support/gateway-harness.ts';

/** What the batcher did with a delivery (the broker's side of it is the tracker test's). */
function recordedDelivery() {
  const seen: string[] = [];
  const delivery = { ack: () => seen.push('ack'), requeue: () => seen.push('requeue'), reject: () => seen.push('reject') } as unknown as Delivery;
  return { delivery, seen };
}

describe('event batcher (real PostgreSQL)', () => {
  const id = testId('batch');
  let db: Db;
  const logger = createLogger({ service: 'test', level: 'silent' });
  const userId = randomUUID();
  // Every statement the batcher sends, counted on the way to the real pool.
  let counted: ReturnType<typeof countingDb>;

  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 4, logger);
    await migrate(db, logger);
    await db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, 'batch@example.com', 'x')`, [userId]);
    counted = countingDb(db);
  });

  after(async () => {
    await db.end();
    await dropDatabase(id);
  });

  const newRequests = (n: number) => insertRequests(db, userId, n);

  const researched = (requestId: string): StageEvent => ({
    event_id: randomUUID(),
    message_id: randomUUID(),
    request_id: requestId,
    user_id: userId,
    stage: 'research',
    type: 'completed',
    attempt: 1,
    at: new Date().toISOString(),
    duration_ms: 5,
  });

  it('when events keep arriving while a batch is being written, then they wait for it and go in one next batch, not one statement per window', async () => {
    const [held, ...rest] = await newRequests(13);
    // Another transaction holds the first request's row, so the first batch's statement waits on its lock.
    const locker = await db.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM content_requests WHERE id = $1 FOR UPDATE', [held]);
    const batcher = createEventBatcher({ db: counted.db, logger, isBrokerConnected: () => true, onChange: () => {}, lanes: 1, maxWaitMs: 5 });
    counted.reset();
    const deliveries = [held!, ...rest].map(() => recordedDelivery());
    const recorded = [batcher.add(researched(held!), deliveries[0]!.delivery)];
    await sleep(20);
    // Twelve events 8 ms apart: each lands in a window of its own.
    for (const [i, rid] of rest.entries()) {
      recorded.push(batcher.add(researched(rid), deliveries[i + 1]!.delivery));
      await sleep(8);
    }
    assert.equal(counted.statements(), 1, 'only the held batch has been sent while its statement waits');
    await locker.query('COMMIT');
    locker.release();
    await Promise.all(recorded);

    assert.equal(counted.statements(), 2, 'the twelve events that waited went in one statement');
    assert.deepEqual(
      deliveries.map((d) => d.seen),
      deliveries.map(() => ['ack']),
    );
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM content_requests WHERE id = ANY($1) AND status = 'researching'`, [
      [held, ...rest],
    ]);
    assert.equal(rows[0]!.n, 13, 'every event was recorded');
  });

  it('when more than a batch waits, then it is written in batches of at most maxBatch', async () => {
    const ids = await newRequests(25);
    const locker = await db.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM content_requests WHERE id = $1 FOR UPDATE', [ids[0]]);
    const batcher = createEventBatcher({ db: counted.db, logger, isBrokerConnected: () => true, onChange: () => {}, lanes: 1, maxBatch: 10 });
    counted.reset();
    const first = batcher.add(researched(ids[0]!), recordedDelivery().delivery);
    await sleep(20);
    const others = ids.slice(1).map((rid) => batcher.add(researched(rid), recordedDelivery().delivery));
    await locker.query('COMMIT');
    locker.release();
    await Promise.all([first, ...others]);
    assert.equal(counted.statements(), 4, 'one held, then 24 waiting as 10 + 10 + 4');
  });

  it('when PostgreSQL stays away longer than a batch is held, then each event is handed on to be retried later, not requeued; other failures are requeued', async () => {
    const away = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/gone`, 2, logger);
    const later: Delivery[] = [];
    const logs = captureLogs('warn');
    const batcher = createEventBatcher({
      db: away,
      logger: logs.logger,
      isBrokerConnected: () => true,
      onChange: () => undefined,
      holdMs: 100,
      lanes: 1,
      retryLater: async (d) => void later.push(d),
    });
    const a = recordedDelivery();
    const b = recordedDelivery();
    // Added as the tracker adds them: each inside its own message's log context.
    const first = researched(randomUUID());
    await Promise.all([
      withLogContext({ request_id: first.request_id, stage: 'research' }, () => batcher.add(first, a.delivery)),
      batcher.add(researched(randomUUID()), b.delivery),
    ]);
    assert.deepEqual([a.seen, b.seen], [[], []], 'neither acked nor requeued');
    assert.deepEqual(later, [a.delivery, b.delivery]);
    const holding = logs.records().find((r) => String(r['msg']).startsWith('database unavailable; holding 2 stage events'));
    assert.ok(holding, 'the batch is held, and says so');
    assert.equal(holding['request_id'], undefined, "a batch of two requests' events is not logged as the first one's");
    await away.end();

    // A failure that is not an outage (here an attempt past the column's range) is requeued: the delivery limit parks it.
    const broken = recordedDelivery();
    const [rid] = await newRequests(1);
    await createEventBatcher({ db, logger, isBrokerConnected: () => true, onChange: () => undefined, retryLater: async (d) => void later.push(d) }).add(
      { ...researched(rid!), attempt: 2 ** 40 },
      broken.delivery,
    );
    assert.deepEqual(broken.seen, ['requeue']);
    assert.equal(later.length, 2);
  });
});
