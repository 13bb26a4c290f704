import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@pressroom/logger';
import { withClient, type Db } from './pool.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, '..', '..', 'migrations');
// Any constant works; it only has to be the same for every replica (and the Kubernetes migration Job).
const ADVISORY_LOCK_KEY = 7_246_518_301;

// How long a migration waits for a table lock before it fails (and its Job or replica retries): a statement
// queued behind a long transaction would otherwise hold up every query of the live gateways queued behind it.
const LOCK_TIMEOUT = '15s';

/**
 * Applies `migrations/NNN_name.sql` in order, each in its own transaction, under a session-level advisory
 * lock so replicas starting together never race: the second waits, then finds nothing left to do. Neither the
 * wait nor a migration is bound by the pool's statement timeout (10 s, for the API's queries): an index built
 * on a production-sized table takes longer, and a replica must wait for as long as the Job migrates.
 */
export function migrate(db: Db, logger: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  return withClient(db, async (client) => {
    try {
      await client.query('SET statement_timeout = 0');
      await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const applied = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const files = (await readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
      const done: string[] = [];
      for (const file of files) {
        const version = file.replace(/\.sql$/, '');
        if (applied.has(version)) continue;
        const sql = await readFile(join(dir, file), 'utf8');
        // On the connection that holds the lock: a pool of one must not deadlock waiting for a second client.
        try {
          await client.query('BEGIN');
          await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        logger.info({ migration: version }, 'migration applied');
        done.push(version);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
      // Back to the pool's own timeout (a startup parameter, which RESET returns to) before the client goes back.
      await client.query('RESET statement_timeout').catch(() => undefined);
    }
  });
}
