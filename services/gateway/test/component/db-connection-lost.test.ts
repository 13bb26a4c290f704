import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import pg from 'pg';
import { createLogger, withLogContext } from '@pressroom/logger';
import { createDatabase, databaseUrl, dropDatabase, testId } from '@pressroom/test-support';
import { createPool, inTransaction, isDatabaseUnavailable, type Db } from '../../src/db/pool.ts';
import { captureLogs } from '../support/gateway-harness.ts';

describe('a database connection lost while a client is lent (real PostgreSQL)', () => {
  const id = testId('dblost');
  let db: Db;
  let admin: pg.Client;
  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 2, createLogger({ service: 'gateway', level: 'silent' }));
    admin = new pg.Client({ connectionString: databaseUrl(id) });
    await admin.connect();
  });
  after(async () => {
    await admin.end();
    await db.end();
    await dropDatabase(id);
  });

  it('when the backend is terminated between two queries of a transaction, then the transaction fails as unavailable, the process lives, and the pool serves the next call', async () => {
    const outcome = inTransaction(db, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      // Between queries, as the outbox relay waits for broker confirms: the connection's end arrives now.
      await new Promise((r) => setTimeout(r, 200));
      await client.query('SELECT 1');
    });
    await assert.rejects(outcome, (err) => isDatabaseUnavailable(err) || /terminat|closed|not queryable/i.test((err as Error).message));
    const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
    assert.equal(rows[0]!.ok, 1, 'a fresh client, not the dead one');
  });
});

describe('an idle database connection lost (real PostgreSQL)', () => {
  const id = testId('dbidle');
  const logs = captureLogs('warn');
  let db: Db;
  let admin: pg.Client;
  before(async () => {
    await createDatabase(id);
    db = createPool(databaseUrl(id), 1, logs.logger);
    admin = new pg.Client({ connectionString: databaseUrl(id) });
    await admin.connect();
  });
  after(async () => {
    await admin.end();
    await db.end();
    await dropDatabase(id);
  });

  it("when the backend of an idle pooled connection is terminated, then the line is the pool's, not that of the request whose query opened it", async () => {
    const { rows } = await withLogContext({ user_id: 'u1', request_id: 'r1', http_request_id: 'h1' }, () =>
      db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
    );
    const lost = once(db, 'error');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await lost;
    const line = logs.records().find((r) => r['msg'] === 'idle database connection lost');
    assert.ok(line);
    assert.deepEqual([line['user_id'], line['request_id'], line['http_request_id']], [undefined, undefined, undefined]);
  });
});
