// Runs the migrations and exits: the Kubernetes Job that precedes a gateway rollout. Replicas that start
// meanwhile wait on the same advisory lock, so a race is harmless.
import { loadConfigOrExit } from '@pressroom/config';
import { createLogger } from '@pressroom/logger';
import { dependency, waitForDependencies } from '@pressroom/runtime';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';

const config = loadConfigOrExit('gateway');
const logger = createLogger({ service: 'gateway-migrate', level: config.LOG_LEVEL });
const db = createPool(config.DATABASE_URL, 1, logger);
try {
  // Waits for PostgreSQL as the gateway does (STARTUP_WAIT_S): in a new namespace the Job may start before the
  // database answers, and failing at once would spend the Job's few attempts (backoffLimit) in seconds.
  await waitForDependencies([dependency('postgres', config.DATABASE_URL, () => db.query('SELECT 1'))], { waitS: config.STARTUP_WAIT_S, logger });
  const applied = await migrate(db, logger);
  logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database already up to date');
} catch (err) {
  logger.error({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await db.end();
}
